// Loaded (--import) into every sandboxed program before the learner's code. The sandbox has no network
// but its own loopback; this listens on 127.0.0.1:<port> for every broker socket found in /run/kafka and
// pipes each connection there, so kafkajs reaches the brokers at the addresses they advertise.
import { readdirSync } from "node:fs";
import net from "node:net";

const SOCKET_DIR = "/run/kafka";

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
  // Listening before the learner's code runs: it may connect at once.
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  // The listener alone must not keep a finished program alive.
  server.unref();
}
