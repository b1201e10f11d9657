// A broker's process and ports as seen from outside: whether it runs, how it is stopped (also one that
// another command started), and whether something already listens on a port.
import { readFileSync } from "node:fs";
import net from "node:net";

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) does not. */
export function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (macOS): trust the signal
  }
}

/**
 * Sends SIGTERM to a broker, then SIGKILL after `graceMs`, and resolves once it is gone. Works for a
 * broker another command started too. Brokers first wait on the controllers for a controlled shutdown;
 * 20 s is plenty on loopback, and a node whose quorum is gone holds nothing we need by then.
 */
export async function terminateBroker(pid: number, graceMs = 20000, onWait?: () => void): Promise<void> {
  if (!processAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    onWait?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether something already listens on a loopback port (a connection to itself is reset, and is not something). */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, timeout: 500 });
    socket.once("connect", () => {
      const itself = socket.localPort === socket.remotePort;
      socket.resetAndDestroy();
      resolve(!itself);
    });
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}
