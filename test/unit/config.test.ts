import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, projectRoot } from "../../sandbox-server/src/config.ts";

describe("loadConfig", () => {
  it("defaults to one broker on 9092, a server on 127.0.0.1:4321 and state under .tributary", () => {
    const config = loadConfig({});
    expect(config.kafka).toMatchObject({ mode: "single", runtime: "auto", bootstrap: ["127.0.0.1:9092"] });
    expect(config.server).toEqual({ host: "127.0.0.1", port: 4321 });
    expect(config.progress.databasePath).toBe(path.join(projectRoot, ".tributary", "progress.sqlite"));
  });

  it("derives three bootstrap addresses for the multi mode", () => {
    expect(loadConfig({ TRIBUTARY_KAFKA_MODE: "multi" }).kafka.bootstrap).toEqual(["127.0.0.1:9092", "127.0.0.1:9094", "127.0.0.1:9096"]);
  });

  it("takes an explicit bootstrap list over the derived one", () => {
    expect(loadConfig({ KAFKA_BOOTSTRAP: "10.0.0.1:9092, 10.0.0.2:9092" }).kafka.bootstrap).toEqual(["10.0.0.1:9092", "10.0.0.2:9092"]);
  });

  it("names the variable and the bad value when a setting is wrong", () => {
    expect(() => loadConfig({ TRIBUTARY_PORT: "eighty" })).toThrow('TRIBUTARY_PORT must be a positive whole number, got "eighty".');
    expect(() => loadConfig({ TRIBUTARY_KAFKA_MODE: "triple" })).toThrow('TRIBUTARY_KAFKA_MODE must be one of single, multi, got "triple".');
  });
});
