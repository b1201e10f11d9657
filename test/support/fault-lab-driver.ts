// Plays the learner of the fault lab, through the public API as the page does: starts their lab, runs a program,
// stops the broker that leads the partition once records are acknowledged, then a second one, then starts both
// again and lets the program end. Shared by the tests and by `npm run record`.
import { LabStateSchema, LiveViewSchema, type LabState } from "../../sandbox-server/src/contract/index.ts";
import type { Exercise } from "../../sandbox-server/src/exercises/index.ts";
import type { LearnerClient, RunOutput } from "./sandbox-client.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function labState(
  learner: LearnerClient,
  method = "GET",
  route = "/api/lab",
  body?: unknown,
): Promise<{ status: number; state: LabState }> {
  const response = await learner.json<unknown>(method, route, body);
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return { status: response.status, state: LabStateSchema.parse(response.body) };
}

/** Waits until `test` holds for the learner's lab, polling as the page does. */
export async function untilLab(learner: LearnerClient, test: (state: LabState) => boolean, what: string, ms = 120_000): Promise<LabState> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { state } = await labState(learner);
    if (test(state)) return state;
    if (state.phase === "failed") throw new Error(`The lab failed: ${state.message}`);
    if (Date.now() > deadline) throw new Error(`The lab never got ${what}: ${JSON.stringify(state)}`);
    await pause(250);
  }
}

/** Starts the learner's lab (unless it runs) and waits until every broker serves. */
export async function labReady(learner: LearnerClient): Promise<LabState> {
  await labState(learner, "POST");
  return untilLab(learner, (s) => s.phase === "ready" && s.brokers.every((b) => b.state === "up"), "ready with every broker up");
}

/** The broker leading `topic`'s partition `partition` in the learner's lab, as their live view shows it. */
export async function leaderOf(learner: LearnerClient, topic: string, partition: number, ms = 30_000): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const response = await learner.json<unknown>("GET", "/api/live?cluster=lab");
    if (response.status === 200) {
      const leader = LiveViewSchema.parse(response.body)
        .topics.find((t) => t.name === topic)
        ?.partitions.find((p) => p.partition === partition)?.leader;
      if (leader !== undefined && leader >= 0) return leader;
    }
    if (Date.now() > deadline) throw new Error(`The live view never showed a leader of ${topic} ${partition}.`);
    await pause(250);
  }
}

export interface FaultScript {
  /** The partition of the exercise's first topic whose leader is stopped first. */
  partition: number;
  /** How the program says a record was acknowledged, one line each. */
  acknowledged: RegExp;
  /** How it says Kafka refused one. */
  refused: RegExp;
}

/** The lesson "When a broker dies": its programs print "✓ payment 12 → …" per acknowledgement and "✗ Kafka refused payment 13: …". */
export const PAYMENTS_SCRIPT: FaultScript = {
  partition: 0,
  acknowledged: /^✓ payment /gm,
  refused: /Kafka refused payment|NotEnoughReplicas|NOT_ENOUGH_REPLICAS/,
};

/**
 * Runs `code` on the learner's lab through the faults: once it has 5 records acknowledged, the leader of the
 * exercise's first topic stops;
 * once 5 more are (or 20 s passed), a second broker stops; once Kafka refused one (or 25 s passed), both start
 * again. Resolves once the program ended (stopped 25 s later if it does not end by itself).
 */
export async function runThroughFaults(
  learner: LearnerClient,
  exercise: Pick<Exercise, "id" | "owns">,
  code: string,
  entry: string,
  script: FaultScript = PAYMENTS_SCRIPT,
): Promise<{ outcome: string; output: string; terminal: RunOutput }> {
  const topic = Object.keys(exercise.owns.topics)[0]!;
  await labReady(learner);
  const run = await learner.startRun(exercise.id, code, entry);
  let stdout = "";
  let ended: RunOutput | undefined;
  const reading = learner.readRun(run.eventsUrl, (output) => ((stdout = output.stdout + output.stderr), false)).then((output) => (ended = output));
  // Whatever fails below, the run is stopped and its stream's end awaited (see `finally`).
  reading.catch(() => {});
  const acks = () => stdout.match(script.acknowledged)?.length ?? 0;
  const until = async (test: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!test() && !ended && Date.now() < deadline) await pause(100);
  };

  const drive = async () => {
    await until(() => acks() >= 5, 60_000);
    if (!ended) {
      const leader = await leaderOf(learner, topic, script.partition);
      await labState(learner, "POST", `/api/lab/brokers/${leader}`, { action: "stop" });
      const before = acks();
      await until(() => acks() >= before + 5, 20_000);
      const second = [1, 2, 3].find((id) => id !== leader)!;
      await labState(learner, "POST", `/api/lab/brokers/${second}`, { action: "stop" });
      await until(() => script.refused.test(stdout), 25_000);
      await Promise.all([leader, second].map((id) => labState(learner, "POST", `/api/lab/brokers/${id}`, { action: "start" })));
      await untilLab(learner, (s) => s.brokers.every((b) => b.state === "up"), "every broker back", 90_000);
    }
    // A program that ends by itself once Kafka takes its records again has done so by now; one that runs on until
    // stopped is stopped, as a learner presses Stop (its ledger is written as it ends).
    await until(() => false, 25_000);
  };
  try {
    await drive();
  } finally {
    if (!ended) await learner.request("DELETE", `/api/runs/${run.id}`);
  }
  const terminal = await reading;
  return { outcome: terminal.exit.reason, output: `${terminal.stdout}${terminal.stderr}${terminal.exit.message}`, terminal };
}
