// Where things are inside a sandbox: one definition shared by the server, which builds the sandbox, and the
// scripts that run inside it (bundled into them when they are compiled).

/** Paths inside the sandbox. */
export const SANDBOX = {
  home: "/sandbox",
  /** The run's folder; the program appears in it only when the run begins. */
  runDir: "/sandbox/run",
  program: "/sandbox/run/main.mjs",
  kafkajs: "/sandbox/node_modules/kafkajs",
  node: "/opt/node/bin/node",
  forwarder: "/opt/tributary/kafka-forwarder.mjs",
  launcher: "/opt/tributary/sandbox-launcher.mjs",
  tmp: "/tmp",
} as const;

/** Where sandboxes find the broker sockets, one `<port>.sock` per broker. */
export const KAFKA_SOCKET_DIR = "/run/kafka";

/** The mark of a broker that is down, next to its socket; the forwarder refuses connections meanwhile. */
export const downMarkName = (port: number) => `${port}.down`;

/**
 * The file descriptor on which a program's launcher says, once, that it has loaded what every program needs and
 * waits for its run (one byte, then it closes it): a pipe to the spawner, which starts processes kept for readers
 * a few at a time by it. The environment variable tells the launcher that the descriptor is that pipe; the
 * launcher takes the variable out before the program runs.
 */
export const LOADED_FD = 3;
export const LOADED_FD_VARIABLE = "TRIBUTARY_LOADED_FD";
