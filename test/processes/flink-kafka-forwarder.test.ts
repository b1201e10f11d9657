// The SQL runner's Kafka forwarder, alone in its JVM, in front of a Unix socket that stands for the
// server's bridge to one broker: it pipes a loopback port to the socket, and honours the bridge's
// <port>.down mark as the Node programs' forwarder does: while the mark is there, the port refuses
// connections (a Kafka client moves on to another broker); once it goes, the port listens again.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { downMarkName } from "../../sandbox-server/src/runs/inside/sandbox-paths.ts";
import { runnerClasspath } from "../support/flink-runner.ts";

let dir: string;
let port: number;
let bridge: net.Server;
let forwarder: ChildProcess | undefined;

/** A free loopback port in the range this machine's tests may use by hand. */
async function freePort(): Promise<number> {
  for (;;) {
    const candidate = 22000 + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer().once("error", () => resolve(false));
      probe.listen(candidate, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}

/** The bridge's socket for the broker: it answers every chunk with "broker:" and the chunk. */
async function startBridge(): Promise<net.Server> {
  const server = net.createServer((connection) => connection.on("data", (chunk) => connection.write(`broker:${chunk}`)).on("error", () => {}));
  await new Promise<void>((resolve) => server.listen(path.join(dir, `${port}.sock`), resolve));
  return server;
}

async function stopBridge(): Promise<void> {
  await new Promise<void>((resolve) => bridge.close(() => resolve()));
}

async function startForwarder(): Promise<void> {
  const child = spawn("java", ["-Xss512k", "-cp", await runnerClasspath(), "dev.tributary.flink.KafkaForwarder", dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  forwarder = child;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`the forwarder ended with ${code} before it was ready`)));
  });
}

/** What a client connecting to the port sees: the answer to "ping", or the error that ended it. */
function connect(): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write("ping"));
    socket.setTimeout(3000, () => (socket.destroy(), resolve("no answer")));
    socket.once("data", (data) => (socket.destroy(), resolve(data.toString())));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once("close", () => resolve("closed"));
  });
}

/** An open connection, and a way to ask through it. */
async function openConnection(): Promise<{ ask: (text: string) => Promise<string>; close: () => void }> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  return {
    ask: (text) => new Promise((resolve) => (socket.once("data", (data) => resolve(data.toString())), socket.write(text))),
    close: () => socket.destroy(),
  };
}

const markDown = () => writeFile(path.join(dir, downMarkName(port)), "");
const markUp = () => rm(path.join(dir, downMarkName(port)), { force: true });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "tributary-forwarder-"));
  port = await freePort();
  bridge = await startBridge();
}, 120_000);

afterEach(async () => {
  if (forwarder?.exitCode === null) {
    const exited = new Promise((resolve) => forwarder!.once("exit", resolve));
    forwarder.kill("SIGKILL");
    await exited;
  }
  forwarder = undefined;
  await stopBridge();
  await rm(dir, { recursive: true, force: true });
});

it("pipes the broker's loopback port to the bridge's socket", { timeout: 120_000 }, async () => {
  await startForwarder();
  expect(await connect()).toBe("broker:ping");
});

it("refuses connections while the broker is marked down, and listens again once the mark goes", { timeout: 60_000 }, async () => {
  await startForwarder();
  const before = await openConnection();
  await markDown();
  await expect.poll(connect, { timeout: 5000, interval: 100 }).toBe("ECONNREFUSED");
  // As in the Node forwarder: only new connections are refused; one already made is the broker's to end.
  expect(await before.ask("still there?")).toBe("broker:still there?");
  before.close();
  await markUp();
  await expect.poll(connect, { timeout: 5000, interval: 100 }).toBe("broker:ping");
});

it("does not listen at all when the broker is marked down before it starts", { timeout: 60_000 }, async () => {
  await markDown();
  await startForwarder();
  expect(await connect()).toBe("ECONNREFUSED");
  await markUp();
  await expect.poll(connect, { timeout: 5000, interval: 100 }).toBe("broker:ping");
});

it("keeps forwarding after a connection the bridge did not take", { timeout: 60_000 }, async () => {
  await startForwarder();
  await stopBridge();
  expect(["closed", "ECONNRESET"]).toContain(await connect());
  bridge = await startBridge();
  expect(await connect()).toBe("broker:ping");
});
