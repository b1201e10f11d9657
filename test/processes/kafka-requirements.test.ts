// Without Docker and without Java, `npm run kafka` says exactly what to install.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";

const run = promisify(execFile);

it("names what to install when neither a Docker engine nor Java and Maven are there", async () => {
  const emptyPath = await mkdtemp(path.join(os.tmpdir(), "tributary-no-tools-"));
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-no-kafka-"));
  try {
    const failure = await run(process.execPath, [path.join(loadConfig().projectRoot, "scripts", "kafka.ts"), "single"], {
      env: { PATH: emptyPath, TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_KAFKA_PORT: "20192" },
    }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("No Docker engine answers, and Kafka cannot run on the JVM either: Java was not found.");
    expect(failure?.stderr).toContain("apt-get install openjdk-17-jre-headless maven");
    expect(failure?.stderr).toContain("Install Java 17 or newer and Maven");
  } finally {
    await rm(emptyPath, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  }
});
