// The server's log: one readable line per event a course host cares about (a run starts or ends, a
// learner's principal is created or fails, Kafka goes away or comes back). TRIBUTARY_LOG_LEVEL sets how much.
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LEVELS)[number];

function levelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const given = env.TRIBUTARY_LOG_LEVEL;
  // Tests run many servers; they stay quiet unless asked.
  if (!given) return env.VITEST ? "silent" : "info";
  return (LEVELS as readonly string[]).includes(given) ? (given as LogLevel) : "info";
}

/** The server's logger: `log.info({ run: id, learner }, "run started")`. */
export const log: Logger = pino(
  { level: levelFromEnv(process.env), base: undefined },
  // Synchronous and on one line, so a line is never lost at exit and a host can grep it.
  pretty({ sync: true, singleLine: true, colorize: false, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" }),
);

/** Names accepted by TRIBUTARY_LOG_LEVEL, for the configuration's validation. */
export const LOG_LEVELS = LEVELS;
