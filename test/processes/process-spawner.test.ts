// The spawner that starts learners' programs for the server (runs/process/process-spawner.ts), with real
// processes: what a program writes arrives in order, its stdin takes the run's message, its exit and close
// are reported once, output past the cap is dropped, a missing command is an error, and a spawner that dies
// takes its programs with it, each reported ended.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { processSpawner, type ProgramChild } from "../../sandbox-server/src/runs/process/process-spawner.ts";

const spawnShell = (script: string, outputCapBytes = 1024 * 1024) =>
  processSpawner.spawn({ command: "sh", args: ["-c", script], cwd: "/", env: { PATH: "/usr/bin:/bin" }, outputCapBytes });

/** Everything a child writes, and how it ended, once it has closed. */
function untilClosed(child: ProgramChild) {
  const output: { stream: string; data: string }[] = [];
  const errors: string[] = [];
  let exits = 0;
  child.on("output", (stream, data) => output.push({ stream, data }));
  child.on("error", (error) => errors.push(error.message));
  child.on("exit", () => exits++);
  return new Promise<{ stdout: string; stderr: string; errors: string[]; code: number | null; signal: string | null; exits: number }>((resolve) =>
    child.once("close", (code, signal) =>
      resolve({
        stdout: output
          .filter((o) => o.stream === "stdout")
          .map((o) => o.data)
          .join(""),
        stderr: output
          .filter((o) => o.stream === "stderr")
          .map((o) => o.data)
          .join(""),
        errors,
        code,
        signal,
        exits,
      }),
    ),
  );
}

/** Whether a process still runs (a zombie waiting to be reaped does not). */
const running = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
};

/** Whether `pid` has stopped running within a few seconds. */
async function ends(pid: number): Promise<boolean> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (!(await running(pid))) return true;
  }
  return false;
}

describe("the process spawner", () => {
  it("relays a program's output and exit, and writes its stdin once", async () => {
    const child = await spawnShell('read line; echo "got $line"; echo oops >&2; for i in 1 2 3; do echo "line $i"; done; exit 3');
    expect(child.pid).toBeGreaterThan(0);
    const closed = untilClosed(child);
    child.endStdin("hello\n");
    const ended = await closed;
    expect(ended.stdout).toBe("got hello\nline 1\nline 2\nline 3\n");
    expect(ended.stderr).toBe("oops\n");
    expect(ended.code).toBe(3);
    expect(ended.exits).toBe(1);
    expect(child.exitCode).toBe(3);
  });

  it("starts each program in a process group of its own", async () => {
    const child = await spawnShell("sleep 5");
    const closed = untilClosed(child);
    const stat = await readFile(`/proc/${child.pid}/stat`, "utf8");
    const [, , pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    expect(Number(pgid)).toBe(child.pid);
    process.kill(-child.pid!, "SIGKILL");
    expect((await closed).signal).toBe("SIGKILL");
  });

  it("says when a program passes its output cap, relays nothing more, and still reports the close once it is stopped", async () => {
    const child = await spawnShell("head -c 2000000 /dev/zero | tr '\\0' x; echo done", 10_000);
    let capped = 0;
    child.on("capped", () => {
      capped++;
      // As the server does: a run past its output limit is stopped at once.
      process.kill(-child.pid!, "SIGKILL");
    });
    const ended = await untilClosed(child);
    expect(capped).toBe(1);
    expect(ended.signal).toBe("SIGKILL");
    expect(ended.stdout.length).toBeGreaterThan(10_000);
    // One pipe read past the cap at most.
    expect(ended.stdout.length).toBeLessThanOrEqual(10_000 + 65_536);
    expect(ended.stdout).not.toContain("done");
  });

  it("reports a command that cannot start as an error, then a close", async () => {
    const child = await processSpawner.spawn({ command: "/nonexistent/program", args: [], cwd: "/", env: {}, outputCapBytes: 1024 });
    const ended = await untilClosed(child);
    expect(ended.errors.join()).toMatch(/ENOENT/);
    // It never ran: no longer alive for anyone who asks.
    expect(ended.code).toBe(-1);
    expect(child.closed).toBe(true);
  });

  it("leaves a Ctrl-C to the server: its programs keep running until the server ends them", async () => {
    const child = await spawnShell("sleep 30");
    const closed = untilClosed(child);
    const stat = await readFile(`/proc/${child.pid}/stat`, "utf8");
    const spawnerPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.kill(spawnerPid, signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await running(spawnerPid)).toBe(true);
    expect(await running(child.pid!)).toBe(true);
    process.kill(-child.pid!, "SIGKILL");
    expect((await closed).signal).toBe("SIGKILL");
  });

  it("ends a program whose spawner died, reports it ended, and starts a new spawner for the next", async () => {
    const child = await spawnShell("sleep 30");
    const closed = untilClosed(child);
    const stat = await readFile(`/proc/${child.pid}/stat`, "utf8");
    const spawnerPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    expect(spawnerPid).not.toBe(process.pid);
    process.kill(spawnerPid, "SIGKILL");
    const ended = await closed;
    expect(ended.signal).toBe("SIGKILL");
    expect(await ends(child.pid!)).toBe(true);

    const next = await spawnShell("echo again");
    expect((await untilClosed(next)).stdout).toBe("again\n");
  });
});
