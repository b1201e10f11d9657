// Loaded (--import) into every sandboxed program before the learner's code. The sandbox has no network
// but its own loopback; this listens on 127.0.0.1:<port> for every broker socket found in /run/kafka and
// pipes each connection there, so kafkajs reaches the brokers at the addresses they advertise.
// While the server marks a broker down (<port>.down), its port is not listened on: kafkajs then sees a
// refused connection, as it would with the broker itself, and moves on to another broker.
import { existsSync, readdirSync } from "node:fs";
import net from "node:net";
import { KAFKA_SOCKET_DIR as SOCKET_DIR, downMarkName } from "./sandbox-paths.ts";

/** How often the marks of brokers that are down are looked at. */
const CHECK_MS = 200;

async function listen(server: net.Server, port: number): Promise<void> {
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  // The listener alone must not keep a finished program alive.
  server.unref();
}

for (const name of readdirSync(SOCKET_DIR)) {
  const port = Number(/^(\d+)\.sock$/.exec(name)?.[1]);
  if (!port) continue;
  const server = net.createServer((client) => {
    const broker = net.connect({ path: `${SOCKET_DIR}/${name}` });
    client.pipe(broker).pipe(client);
    const end = () => (client.destroy(), broker.destroy());
    client.once("error", end).once("close", end);
    broker.once("error", end).once("close", end);
  });
  const mark = `${SOCKET_DIR}/${downMarkName(port)}`;
  // Listening before the learner's code runs: it may connect at once.
  if (!existsSync(mark)) await listen(server, port);
  setInterval(() => {
    const down = existsSync(mark);
    if (down && server.listening) server.close();
    else if (!down && !server.listening) void listen(server, port);
  }, CHECK_MS).unref();
}
