// Storage faults are named: a damaged or foreign database file is refused at start with the file and
// TRIBUTARY_DB, a state folder on a pseudo file system is refused at once, and a full disk makes the
// store say "your result could not be saved" (and health say why) instead of failing without a word.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, checkStateFolders, loadConfig, projectRoot } from "../../sandbox-server/src/config.ts";
import type { Verdict } from "../../sandbox-server/src/grading/index.ts";
import { SqliteProgressStore } from "../../sandbox-server/src/progress/index.ts";

const run = promisify(execFile);
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), "tributary-store-faults-"));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const verdict = (learner: number): Verdict => ({
  version: 2,
  exerciseId: `exercise-${learner % 15}`,
  status: "pass",
  message: "Passed.",
  checks: [{ title: "Topic `messages` exists", status: "pass", message: `learner ${learner} `.repeat(20) }],
  gradedAt: "2026-01-01T10:00:00.000Z",
});

/** A progress database of many pages, closed (its log folded in), at `file`. */
async function filledDatabase(file: string): Promise<void> {
  const store = new SqliteProgressStore(file);
  for (let learner = 0; learner < 400; learner++) await store.recordVerdict(`learner-${learner}`, verdict(learner));
  await store.close();
}

/** The server as a host starts it (on a port it never reaches: each case is refused before it listens); resolves with its exit code and everything it printed, or fails after `withinMs`. */
function serverStart(env: NodeJS.ProcessEnv, withinMs = 20_000): Promise<{ code: number | null; output: string }> {
  const child = spawn("bash", [path.join(projectRoot, "scripts/node.sh"), path.join(projectRoot, "sandbox-server/src/main.ts")], {
    cwd: projectRoot,
    env: { ...process.env, KAFKA_BOOTSTRAP: "127.0.0.1:1", TRIBUTARY_PORT: "23999", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The server neither started nor refused within ${withinMs} ms:\n${output}`));
    }, withinMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Expects the server to refuse at start with exactly `line`, on one line, without a stack trace. */
async function expectRefusal(env: NodeJS.ProcessEnv, line: string): Promise<void> {
  const { code, output } = await serverStart(env);
  expect(code, output).toBe(1);
  expect(output.trim()).toBe(`✗ ${line}`);
}

describe("a progress database that cannot be trusted", () => {
  it("with one corrupted page is refused at start, naming the file and TRIBUTARY_DB", async () => {
    const file = path.join(folder, "damaged", "progress.sqlite");
    await filledDatabase(file);
    const db = new DatabaseSync(file);
    const { page_size: pageSize } = db.prepare("PRAGMA page_size").get() as { page_size: number };
    const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'checkpoint_verdicts'").get() as { rootpage: number };
    db.close();
    // Garbage over the verdicts table's first page (pages count from 1).
    const handle = await open(file, "r+");
    await handle.write(Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
    await handle.close();

    let refusal: unknown;
    try {
      new SqliteProgressStore(file);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).setting).toBe("TRIBUTARY_DB");
    expect((refusal as Error).message).toMatch(
      new RegExp(`^TRIBUTARY_DB: the progress database ${file.replaceAll("/", "\\/")} is damaged \\(.+\\)\\. Restore it from a backup`),
    );
    const { code, output } = await serverStart({ TRIBUTARY_STATE_DIR: path.dirname(file) });
    expect(code, output).toBe(1);
    expect(output.trim()).toMatch(new RegExp(`^✗ TRIBUTARY_DB: the progress database ${file.replaceAll("/", "\\/")} is damaged [^\\n]+$`));
  });

  it("that is not a database at all is refused, naming the file and TRIBUTARY_DB", async () => {
    const file = path.join(folder, "garbage.sqlite");
    await writeFile(file, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251)));
    await expectRefusal(
      { TRIBUTARY_STATE_DIR: path.join(folder, "garbage-state"), TRIBUTARY_DB: file },
      `TRIBUTARY_DB: ${file} is not a SQLite database (file is not a database). Move it away to start with no progress, or point TRIBUTARY_DB at the progress database.`,
    );
    // The file is left as it was: nothing was written into it.
    expect((await readFile(file)).length).toBe(8192);
  });

  it("written by a newer Tributary is refused; one from before schema versions is brought up to date with its progress", async () => {
    const newer = path.join(folder, "newer.sqlite");
    new SqliteProgressStore(newer).close();
    const db = new DatabaseSync(newer);
    db.exec("PRAGMA user_version = 99");
    db.close();
    expect(() => new SqliteProgressStore(newer)).toThrow(`TRIBUTARY_DB: cannot open the progress database ${newer} (${newer} has schema version 99`);

    // A file as servers before schema versions left it: both tables, user_version 0, no health probe.
    const older = path.join(folder, "older.sqlite");
    const old = new DatabaseSync(older);
    old.exec(`
      CREATE TABLE checkpoint_verdicts (learner_id TEXT NOT NULL, exercise_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pass', 'fail')),
        message TEXT NOT NULL, checks TEXT NOT NULL, graded_at TEXT NOT NULL, first_passed_at TEXT, PRIMARY KEY (learner_id, exercise_id)) STRICT;
      CREATE TABLE exercise_runs (learner_id TEXT NOT NULL, exercise_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('attempted', 'ran')),
        started_at TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (learner_id, exercise_id, kind)) STRICT;
      INSERT INTO checkpoint_verdicts VALUES ('learner-a', 'first-producer', 'pass', 'Passed.', '[]', '2025-12-01T10:00:00.000Z', '2025-12-01T10:00:00.000Z');`);
    old.close();
    const store = new SqliteProgressStore(older);
    expect(await store.verdictsOf("learner-a")).toEqual([expect.objectContaining({ exerciseId: "first-producer", status: "pass" })]);
    expect(await store.health()).toEqual({ ok: true, store: "sqlite" });
    await store.close();
    const migrated = new DatabaseSync(older);
    expect(migrated.prepare("PRAGMA user_version").get()).toEqual({ user_version: 2 });
    migrated.close();
  });
});

describe("a state folder on a file system the kernel makes up", () => {
  it("is refused at once, naming the folder and the setting", { timeout: 60_000 }, async () => {
    await expect(checkStateFolders(loadConfig({ TRIBUTARY_STATE_DIR: "/proc/tributary" }))).rejects.toThrow(
      "TRIBUTARY_STATE_DIR: /proc/tributary lies on proc, a file system the kernel makes up, where nothing can be kept. Set TRIBUTARY_STATE_DIR to a folder on a disk.",
    );
    await expect(checkStateFolders(loadConfig({ TRIBUTARY_STATE_DIR: "/sys/kernel/tributary/state" }))).rejects.toThrow(
      "TRIBUTARY_STATE_DIR: /sys/kernel/tributary/state lies on sysfs",
    );
    await expect(
      checkStateFolders(loadConfig({ TRIBUTARY_STATE_DIR: path.join(folder, "fine"), TRIBUTARY_DB: "/proc/self/progress.sqlite" })),
    ).rejects.toThrow("TRIBUTARY_DB: /proc/self lies on proc");
    // The server process, which used to hang for ever making the folder, says so in one line.
    await expectRefusal(
      { TRIBUTARY_STATE_DIR: "/proc/tributary" },
      "TRIBUTARY_STATE_DIR: /proc/tributary lies on proc, a file system the kernel makes up, where nothing can be kept. Set TRIBUTARY_STATE_DIR to a folder on a disk.",
    );
  });
});

describe("a state folder that fills up", () => {
  it("fails a save with a message for the learner and one for the host, says so in health, and recovers when space is freed", {
    timeout: 60_000,
  }, async () => {
    const tmpfs = await mkdtemp(path.join(os.tmpdir(), "tributary-full-"));
    try {
      // A tmpfs of 4 MiB, mounted in a mount namespace of the script's own: nothing outside sees it, and it goes with the script.
      const script = `mount -t tmpfs -o size=4m tributary-full "$1" && exec bash "$2" "$3" "$1"`;
      const { stdout } = await run(
        "unshare",
        [
          "--user",
          "--map-root-user",
          "--mount",
          "sh",
          "-c",
          script,
          "sh",
          tmpfs,
          path.join(projectRoot, "scripts/node.sh"),
          path.join(projectRoot, "test/support/progress-on-full-disk.ts"),
        ],
        { cwd: projectRoot, timeout: 45_000 },
      );
      const report = JSON.parse(stdout.trim().split("\n").at(-1)!);
      const file = path.join(tmpfs, "progress.sqlite");
      expect(report.saveBefore).toBe("saved");
      expect(report.healthBefore).toEqual({ ok: true, store: "sqlite" });
      expect(report.saveFull).toEqual({
        name: "ProgressNotSaved",
        code: "progress_not_saved",
        message: `progress store (SQLite ${file}) could not save a verdict: database or disk is full`,
        learnerMessage: expect.stringMatching(/^Your result could not be saved: /),
      });
      expect(report.healthFull).toMatchObject({ ok: false, store: "sqlite" });
      expect(report.healthFull.error).toMatch(new RegExp(`(cannot be written: database or disk is full|only \\d+ KiB free in ${tmpfs})`));
      // What was saved before stays readable, and the learner's pass is still theirs.
      expect(report.readFull).toEqual(["pass"]);
      expect(report.healthAfter).toEqual({ ok: true, store: "sqlite" });
      expect(report.saveAfter).toBe("saved");
      expect(report.readAfter).toEqual([{ status: "fail", firstPassedAt: expect.any(String) }]);
    } finally {
      await rm(tmpfs, { recursive: true, force: true });
    }
  });
});
