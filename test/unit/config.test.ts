import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, LAB_MEMORY_MB, checkStateFolders, loadConfig, projectRoot } from "../../sandbox-server/src/config.ts";

describe("loadConfig", () => {
  it("defaults to one broker on 9092, a server on 127.0.0.1:4321 and state under .tributary", () => {
    const config = loadConfig({});
    expect(config.kafka).toMatchObject({ mode: "single", runtime: "auto", bootstrap: ["127.0.0.1:9092"] });
    expect(config.server).toEqual({ host: "127.0.0.1", port: 4321 });
    expect(config.progress.databasePath).toBe(path.join(projectRoot, ".tributary", "progress.sqlite"));
  });

  it("leaves the fault labs' memory out of the runs' default memory budget, and keeps readers' sandboxes to the run cap", () => {
    const none = loadConfig({ TRIBUTARY_LABS: "0" }).runs;
    const two = loadConfig({ TRIBUTARY_LABS: "2" }).runs;
    expect(two.memoryBudgetMb).toBe(Math.max(512, none.memoryBudgetMb! - 2 * LAB_MEMORY_MB));
    expect(loadConfig({ TRIBUTARY_LABS: "2", TRIBUTARY_RUN_MEMORY_BUDGET_MIB: "4096" }).runs.memoryBudgetMb).toBe(4096);
    expect(loadConfig({ TRIBUTARY_MAX_RUNS: "12" }).runs.warmForReaders).toBe(12);
    expect(loadConfig({ TRIBUTARY_MAX_RUNS: "12", TRIBUTARY_WARM_FOR_READERS: "0" }).runs.warmForReaders).toBe(0);
  });

  it("derives three bootstrap addresses for the multi mode", () => {
    expect(loadConfig({ TRIBUTARY_KAFKA_MODE: "multi" }).kafka.bootstrap).toEqual(["127.0.0.1:9092", "127.0.0.1:9094", "127.0.0.1:9096"]);
  });

  it("takes an explicit bootstrap list over the derived one", () => {
    expect(loadConfig({ KAFKA_BOOTSTRAP: "10.0.0.1:9092, 10.0.0.2:9092" }).kafka.bootstrap).toEqual(["10.0.0.1:9092", "10.0.0.2:9092"]);
  });

  it("names the variable, the bad value and what is allowed when a setting is wrong", () => {
    expect(() => loadConfig({ TRIBUTARY_PORT: "eighty" })).toThrow('TRIBUTARY_PORT must be a whole number from 1 to 65535, got "eighty".');
    expect(() => loadConfig({ TRIBUTARY_PORT: "70000" })).toThrow('TRIBUTARY_PORT must be a whole number from 1 to 65535, got "70000".');
    expect(() => loadConfig({ TRIBUTARY_KAFKA_MODE: "triple" })).toThrow('TRIBUTARY_KAFKA_MODE must be one of single, multi, got "triple".');
    expect(() => loadConfig({ TRIBUTARY_KAFKA_PORT: "65533" })).toThrow('TRIBUTARY_KAFKA_PORT must be a whole number from 1 to 65530, got "65533".');
    expect(() => loadConfig({ TRIBUTARY_MAX_RUNS: "-3" })).toThrow('TRIBUTARY_MAX_RUNS must be a positive whole number, got "-3".');
    expect(() => loadConfig({ TRIBUTARY_HOST: "not a host" })).toThrow(
      'TRIBUTARY_HOST must be an IP address or host name (e.g. 127.0.0.1), got "not a host".',
    );
    expect(() => loadConfig({ KAFKA_BOOTSTRAP: "127.0.0.1" })).toThrow("KAFKA_BOOTSTRAP must be a comma-separated list of host:port");
    expect(() => loadConfig({ KAFKA_ADMIN_USERNAME: "admin" })).toThrow("KAFKA_ADMIN_USERNAME is set but not its partner");
  });

  it("throws a ConfigError that names the setting, so a start script can print one line", () => {
    try {
      loadConfig({ TRIBUTARY_ISOLATION: "none" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe("TRIBUTARY_ISOLATION");
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("refuses a state folder it cannot write, naming the folder and TRIBUTARY_STATE_DIR", async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), "tributary-config-"));
    // A regular file where the folder should be cannot be written into, even by root.
    await writeFile(path.join(parent, "taken"), "");
    const config = loadConfig({ TRIBUTARY_STATE_DIR: path.join(parent, "taken", "state") });
    await expect(checkStateFolders(config)).rejects.toThrow(`TRIBUTARY_STATE_DIR: cannot write to ${path.join(parent, "taken", "state")} (ENOTDIR)`);
    const dbBlocked = loadConfig({ TRIBUTARY_STATE_DIR: path.join(parent, "ok"), TRIBUTARY_DB: path.join(parent, "taken", "progress.sqlite") });
    await expect(checkStateFolders(dbBlocked)).rejects.toThrow(
      `TRIBUTARY_DB: cannot write the progress database ${path.join(parent, "taken", "progress.sqlite")}`,
    );
    await checkStateFolders(loadConfig({ TRIBUTARY_STATE_DIR: path.join(parent, "ok") }));
    await rm(parent, { recursive: true, force: true });
  });
});
