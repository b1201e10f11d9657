import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearStaleSandboxRoots, reachableByNobody, reachableForSandbox } from "../../sandbox-server/src/runs/containment/index.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "tributary-files-"));
  await chmod(dir, 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("what the sandbox's user can reach", () => {
  it("cannot reach a file under a 0700 or 0750 folder, and can once the folder opens", async () => {
    const home = path.join(dir, "home");
    await mkdir(path.join(home, "project"), { recursive: true });
    const file = path.join(home, "project", "node");
    await writeFile(file, "");
    await chmod(file, 0o755);
    for (const closed of [0o700, 0o750]) {
      await chmod(home, closed);
      expect(reachableByNobody(file, true)).toBe(false);
    }
    await chmod(home, 0o755);
    expect(reachableByNobody(file, true)).toBe(true);
    await chmod(file, 0o700);
    expect(reachableByNobody(file, true)).toBe(false);
  });

  it("places Node (executable) and kafkajs (every file) in the sandbox folder when run as root from a closed folder", async () => {
    const home = path.join(dir, "closed");
    await mkdir(path.join(home, "kafkajs", "src"), { recursive: true });
    await writeFile(path.join(home, "node"), "binary");
    await writeFile(path.join(home, "kafkajs", "package.json"), "{}");
    await writeFile(path.join(home, "kafkajs", "src", "index.js"), "");
    await chmod(home, 0o700);
    const root = path.join(dir, "sandbox-root");
    await chmod(path.join(home, "node"), 0o755);
    const node = await reachableForSandbox(root, path.join(home, "node"), "node/bin/node", { executable: true, runningAsRoot: true });
    const kafkajs = await reachableForSandbox(root, path.join(home, "kafkajs"), "kafkajs", { runningAsRoot: true });
    expect(node.startsWith(root)).toBe(true);
    expect(kafkajs.startsWith(root)).toBe(true);
    expect(reachableByNobody(node, true)).toBe(true);
    expect(reachableByNobody(path.join(kafkajs, "src", "index.js"))).toBe(true);
    // Not root: the sandbox runs as the server's own user, who reads the originals.
    expect(await reachableForSandbox(path.join(dir, "unused"), path.join(home, "kafkajs"), "kafkajs", { runningAsRoot: false })).toBe(
      path.join(home, "kafkajs"),
    );
  });
});

describe("sandbox folders left behind", () => {
  it("clears the folders of servers that are gone, never one whose server runs", async () => {
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
    const tmp = path.join(dir, "tmp");
    await mkdir(path.join(tmp, `tributary-sandbox-${gone}-abc`), { recursive: true });
    await mkdir(path.join(tmp, `tributary-sandbox-${process.pid}-def`), { recursive: true });
    await mkdir(path.join(tmp, "tributary-sandbox-Roym01"), { recursive: true });
    expect(await clearStaleSandboxRoots(tmp)).toEqual([`tributary-sandbox-${gone}-abc`]);
    expect(existsSync(path.join(tmp, `tributary-sandbox-${process.pid}-def`))).toBe(true);
    expect(existsSync(path.join(tmp, "tributary-sandbox-Roym01"))).toBe(true);
  });
});
