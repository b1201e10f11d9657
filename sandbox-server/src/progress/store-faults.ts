// A progress store that cannot do what it was asked (a full disk, a damaged file, a database that does
// not answer) says so in two voices: `message`, one line for the host's log naming the store and the
// cause, and `learnerMessage`, what the learner reads instead of a bare "something went wrong".

export type ProgressFaultCode = "progress_not_saved" | "progress_not_read";

/** The cause of a store's failure in a few words: a database's own message, or a system error's code. */
export function faultReason(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const text = (cause as { errstr?: string }).errstr ?? cause.message;
    return (text || code || cause.name).replace(/\s+/g, " ").trim();
  }
  return String(cause);
}

/** Any failure of a progress store; routes answer it with 503, `code` and `learnerMessage`. */
export abstract class ProgressStoreFault extends Error {
  abstract readonly code: ProgressFaultCode;
  /** What the learner reads: what happened to their work and what to do. */
  readonly learnerMessage: string;

  constructor(store: string, action: string, cause: unknown, learnerMessage: string) {
    super(`progress store (${store}) could not ${action}: ${faultReason(cause)}`, { cause });
    this.learnerMessage = learnerMessage;
  }
}

/** A verdict or a run's record was not written. */
export class ProgressNotSaved extends ProgressStoreFault {
  readonly code = "progress_not_saved";

  constructor(store: string, action: string, cause: unknown) {
    super(
      store,
      action,
      cause,
      "Your result could not be saved: the server's progress store is not working, and its host has been told. " +
        "Your program and its records on Kafka are fine; try again in a while.",
    );
    this.name = "ProgressNotSaved";
  }
}

/** A learner's verdicts or runs could not be read. */
export class ProgressNotRead extends ProgressStoreFault {
  readonly code = "progress_not_read";

  constructor(store: string, action: string, cause: unknown) {
    super(
      store,
      action,
      cause,
      "Your progress could not be read just now: the server's progress store is not working, and its host has been told. " +
        "Nothing you did is lost by waiting; try again in a while.",
    );
    this.name = "ProgressNotRead";
  }
}
