// cluster.json is read, changed and written by several commands at once (`start-node`, `stop-node`, the
// command that owns the cluster): each change must see the one before it.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type TributaryConfig } from "../../sandbox-server/src/config.ts";
import { changeRecord, readRecord, type ClusterRecord } from "../../sandbox-server/src/provisioning/index.ts";

let stateDir: string;
let config: TributaryConfig;

const record = (pids: number[]): ClusterRecord => ({
  runtime: "jvm",
  mode: "multi",
  bootstrap: ["127.0.0.1:9092", "127.0.0.1:9094", "127.0.0.1:9096"],
  pids,
  owner: 1,
  stoppedNodes: [],
  startedAt: "2024-01-01T00:00:00.000Z",
});

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-record-"));
  config = loadConfig({ TRIBUTARY_STATE_DIR: stateDir });
});

afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe("the cluster record", () => {
  it("loses no change when many are made at once: each reads the one before", async () => {
    await changeRecord(config, async () => ({ record: record([]), result: undefined }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        changeRecord(config, async (now) => {
          // A pause between reading and writing, as a command starting a broker has.
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { record: { ...now!, pids: [...now!.pids, i] }, result: undefined };
        }),
      ),
    );
    expect((await readRecord(config))!.pids.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("takes over a lock whose holder died, and leaves no lock behind", async () => {
    const lockFile = path.join(stateDir, "kafka", "cluster.json.lock");
    await changeRecord(config, async () => ({ record: record([7]), result: undefined }));
    // A process that has exited: its pid names no running process.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    await writeFile(lockFile, `${dead}\n`);
    const pids = await changeRecord(config, async (now) => ({ record: { ...now!, pids: [8] }, result: now!.pids }));
    expect(pids).toEqual([7]);
    await expect(readFile(lockFile)).rejects.toThrow(/ENOENT/);
  });

  it("forgets the record when a change says so, and keeps it when a change leaves it", async () => {
    await changeRecord(config, async () => ({ record: record([1]), result: undefined }));
    await changeRecord(config, async () => ({ record: undefined, result: undefined }));
    expect((await readRecord(config))?.pids).toEqual([1]);
    await changeRecord(config, async () => ({ record: null, result: undefined }));
    expect(await readRecord(config)).toBeUndefined();
  });

  it("writes nothing when a change throws, and lets the next one through", async () => {
    await changeRecord(config, async () => ({ record: record([1]), result: undefined }));
    await expect(
      changeRecord(config, async () => {
        throw new Error("node 1 already runs");
      }),
    ).rejects.toThrow("node 1 already runs");
    expect((await readRecord(config))?.pids).toEqual([1]);
    await changeRecord(config, async (now) => ({ record: { ...now!, pids: [2] }, result: undefined }));
    expect((await readRecord(config))?.pids).toEqual([2]);
  });
});
