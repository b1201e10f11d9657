// What a run tells its viewers: output as it happens, then exactly one exit event.

/** Why a run ended; the terminal shows the matching message. */
export type ExitReason =
  | "exited" // the program ended by itself
  | "kafka-unavailable" // it failed while Kafka did not answer
  | "kafka-denied" // it failed after Kafka refused it access (another namespace, or adding partitions)
  | "kafka-limit" // it failed after Kafka refused a topic past the learner's caps
  | "stopped" // the learner pressed Stop
  | "timeout" // the wall-clock limit passed
  | "output-limit" // it wrote more than the output cap
  | "memory-limit" // its memory passed the cap
  | "cpu-limit" // it used more CPU time than allowed
  | "compile-error" // the TypeScript did not compile
  | "start-failed" // the server could not start it (no room for its files, no sandbox)
  | "unwatched" // nobody was watching any more (the browser went away)
  | "server-shutdown"; // the sandbox server is stopping

export type RunEvent =
  /** The server is full: the run waits for a free slot; 1 means it is next. */
  | { type: "queued"; position: number }
  | { type: "stdout"; data: string }
  | { type: "stderr"; data: string }
  | {
      type: "exit";
      /** The program's exit code, or null when it was killed. */
      code: number | null;
      reason: ExitReason;
      durationMs: number;
      /** One sentence for the learner. */
      message: string;
    };

export type ExitEvent = Extract<RunEvent, { type: "exit" }>;
