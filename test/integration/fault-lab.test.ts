// The fault lab against real brokers: a learner's own three brokers start on demand (a second learner past
// the cap waits in line, told their place), the learner stops and starts them from the API, and the course's
// brokers never notice. Then the lab's exercise, in every language it is offered in, played as a learner plays
// it: runs are refused while the lab is not whole; the untouched starter fails for the reason its exercise
// names (unless it is one of the exercise's recorded wrong programs), and the solution then passes, both
// through the same faults. Wrong programs are graded on recordings of such runs
// (test/unit/recorded-wrong-programs.test.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LiveViewSchema, type LiveView } from "../../sandbox-server/src/contract/index.ts";
import { probeKafka } from "../../sandbox-server/src/kafka/index.ts";
import { entryFile } from "../../sandbox-server/src/contract/languages.ts";
import { courseExercises, type LearnerClient } from "../support/sandbox-client.ts";
import { labReady, labState, runThroughFaults, untilLab } from "../support/fault-lab-driver.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
let sandbox: TestServer;

/** Ports no other test file uses. */
const LAB_PORT = 19600;

beforeAll(async () => {
  sandbox = await startTestServer(kafka, {
    env: {
      TRIBUTARY_LABS: "1",
      TRIBUTARY_LAB_PORT: String(LAB_PORT),
    },
  });
});

afterAll(async () => {
  await sandbox?.close();
});

/** The learner's live view of their lab, read once; undefined while a broker the metadata still lists does not answer. */
async function liveLab(learner: LearnerClient): Promise<LiveView | undefined> {
  const response = await learner.json<unknown>("GET", "/api/live?cluster=lab");
  if (response.status === 503) return undefined;
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return LiveViewSchema.parse(response.body);
}

describe("a learner's lab", () => {
  let first: LearnerClient;

  it("starts on demand with progress shown; a second learner past the cap waits in line and is told their place", { timeout: 180_000 }, async () => {
    first = sandbox.learner();
    const second = sandbox.learner();
    expect((await labState(first)).state).toMatchObject({ offered: true, phase: "off", brokers: [] });

    const asked = await labState(first, "POST");
    expect(asked.status).toBe(202);
    expect(["queued", "starting"]).toContain(asked.state.phase);
    const waiting = await labState(second, "POST");
    expect(waiting.state).toMatchObject({ phase: "queued", place: 1, capacity: { labs: 1, running: 1, waiting: 1 } });

    const progress: string[] = [];
    const ready = await untilLab(first, (state) => (state.progress && progress.push(state.progress), state.phase === "ready"), "ready");
    expect(progress.length, "no progress was shown while the lab started").toBeGreaterThan(0);
    expect(ready.brokers.map((broker) => broker.state)).toEqual(["up", "up", "up"]);
    expect(ready.brokers.map((broker) => broker.address)).toEqual([
      `127.0.0.1:${LAB_PORT}`,
      `127.0.0.1:${LAB_PORT + 2}`,
      `127.0.0.1:${LAB_PORT + 4}`,
    ]);
    // Still in line: the only place is taken. Leaving the line frees nothing and queues nobody else.
    expect((await labState(second)).state).toMatchObject({ phase: "queued", place: 1 });
    expect((await labState(second, "DELETE")).state.phase).toBe("off");
    expect((await labState(first)).state.capacity).toMatchObject({ running: 1, waiting: 0 });
  });

  it("stops a broker as a crash would and starts it again; the live view of the lab follows; the course's brokers never notice", {
    timeout: 180_000,
  }, async () => {
    const courseBefore = await probeKafka(kafka);
    const stopped = await labState(first, "POST", "/api/lab/brokers/2", { action: "stop" });
    expect(stopped.status).toBe(202);
    expect(stopped.state.brokers.find((broker) => broker.id === 2)?.state).toBe("stopped");

    // Asked twice, or for a broker that is not there: refused, saying why.
    const again = await first.json<{ error: { message: string } }>("POST", "/api/lab/brokers/2", { action: "stop" });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("Broker 2 is stopped already");
    expect((await first.json("POST", "/api/lab/brokers/7", { action: "stop" })).status).toBe(400);

    // The lab's cluster fences the dead broker within seconds; the live view then shows the two that serve.
    const serving = (view: LiveView | undefined) => view?.brokers.filter((broker) => broker.up).map((broker) => broker.id);
    const deadline = Date.now() + 30_000;
    let view = await liveLab(first);
    while (serving(view)?.join() !== "1,3" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      view = await liveLab(first);
    }
    expect(serving(view)).toEqual([1, 3]);

    const starting = await labState(first, "POST", "/api/lab/brokers/2", { action: "start" });
    expect(starting.status).toBe(202);
    expect(["starting", "up"]).toContain(starting.state.brokers.find((broker) => broker.id === 2)?.state);
    const state = await untilLab(first, (lab) => lab.brokers.find((broker) => broker.id === 2)?.state === "up", "broker 2 back", 90_000);
    expect(state.brokers.map((broker) => broker.state)).toEqual(["up", "up", "up"]);
    expect(state.message).toBeUndefined();

    const courseAfter = await probeKafka(kafka);
    expect(courseAfter.brokers).toBe(courseBefore.brokers);
    expect(courseAfter.reachable).toBe(true);
  });

  it("is the learner's own: another learner has none to watch or change", async () => {
    const stranger = sandbox.learner();
    expect((await labState(stranger)).state.phase).toBe("off");
    const change = await stranger.json<{ error: { code: string; message: string } }>("POST", "/api/lab/brokers/1", { action: "stop" });
    expect(change.status).toBe(409);
    expect(change.body.error.message).toContain("start it first");
    const watched = await stranger.json<{ error: { message: string } }>("GET", "/api/live?cluster=lab");
    expect(watched.status).not.toBe(200);
    expect((await labState(first)).state.brokers.map((broker) => broker.state)).toEqual(["up", "up", "up"]);
  });

  it("stops when its learner stops it, and frees its place", { timeout: 60_000 }, async () => {
    const stopped = await labState(first, "DELETE");
    expect(stopped.state).toMatchObject({ phase: "off", brokers: [], capacity: { running: 0 } });
    const answers = await probeKafka({ bootstrap: [`127.0.0.1:${LAB_PORT}`] }, 1000);
    expect(answers.reachable).toBe(false);
  });
});

const labExercises = [...(await courseExercises()).values()].filter((exercise) => exercise.cluster === "lab");

/**
 * Exercises whose starter is, in what it does to Kafka, one of their recorded wrong programs: leader-only-acks
 * starts from the previous exercise's producer, which asks every in-sync copy as `wrong/still-acks-all` does,
 * and fails as that recording does (test/unit/recorded-wrong-programs.test.ts). Played live, it would spend
 * a minute and a half per language proving nothing new; its solution is still played after the other exercises.
 */
const STARTER_RECORDED = new Set(["leader-only-acks"]);

describe("the lab's exercises, played by one learner on one lab", () => {
  let learner: LearnerClient;

  it("refuses a run while the lab is not started, or while a broker of it is stopped, saying what to do", { timeout: 180_000 }, async () => {
    learner = sandbox.learner();
    const exercise = labExercises[0]!;
    const code = exercise.code[exercise.languages[0]!]!.solution;
    const body = { exerciseId: exercise.id, files: { [entryFile(exercise.languages[0]!)]: code } };
    const early = await learner.json<{ error: { code: string; message: string } }>("POST", "/api/runs", body);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain("start it first");

    await labReady(learner);
    await learner.json("POST", "/api/lab/brokers/3", { action: "stop" });
    const partial = await learner.json<{ error: { message: string } }>("POST", "/api/runs", body);
    expect(partial.status).toBe(409);
    expect(partial.body.error.message).toContain("Start broker 3 of your lab first");
    await learner.json("POST", "/api/lab/brokers/3", { action: "start" });
  });

  describe.each(labExercises.flatMap((exercise) => exercise.languages.map((language) => [exercise.id, language, exercise] as const)))(
    "%s in %s",
    (_, language, exercise) => {
      const entry = entryFile(language);

      const starterPlayed = !STARTER_RECORDED.has(exercise.id);
      it(`${starterPlayed ? "fails with the untouched starter for the reason its exercise names, then passes" : "passes"} with the solution, through the faults`, {
        timeout: 400_000,
      }, async () => {
        if (starterPlayed) {
          const starter = await runThroughFaults(learner, exercise, exercise.code[language]!.starter, entry);
          const failed = await learner.grade(exercise.id);
          expect(failed.status, `the ${language} starter passed: ${failed.message}\n${starter.output}`).toBe("fail");
          expect(failed.message, starter.output).toContain(exercise.starterFailsWith);
        }

        const solution = await runThroughFaults(learner, exercise, exercise.code[language]!.solution, entry);
        const passed = await learner.grade(exercise.id);
        expect(passed.status, `the ${language} solution: ${passed.message}\n--- output ---\n${solution.output}`).toBe("pass");
      });
    },
  );
});
