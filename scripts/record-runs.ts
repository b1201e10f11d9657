// npm run record [-- <exercise id>…]: runs every wrong program of the course (or of the exercises named)
// live, as a learner would, and keeps what each run left on the broker in test/recordings/, where
// test/unit/recorded-wrong-programs.test.ts grades it. Uses KAFKA_BOOTSTRAP when set, else starts a broker
// of its own (TRIBUTARY_RECORD_KAFKA_PORT, 20992); Flink's jars come as for the server.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../sandbox-server/src/config.ts";
import { gradeSnapshot, snapshotRequest } from "../sandbox-server/src/grading/index.ts";
import { BrokerInspector, probeKafka, type BrokerAccess } from "../sandbox-server/src/kafka/index.ts";
import { SqliteProgressStore } from "../sandbox-server/src/progress/index.ts";
import { clusterTopology, startJvmCluster, type RunningCluster } from "../sandbox-server/src/provisioning/index.ts";
import type { Exercise, WrongProgram } from "../sandbox-server/src/exercises/index.ts";
import { entryFile, type Language } from "../sandbox-server/src/contract/languages.ts";
import { courseExercises, type LearnerClient } from "../test/support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../test/support/test-server.ts";
import { settle, solve } from "../test/support/course-attempts.ts";
import { labState, runThroughFaults } from "../test/support/fault-lab-driver.ts";
import { recordingFile, sourceFingerprint, storeSnapshot, type Recording } from "../test/support/recordings.ts";

const config = loadConfig();
const PORT = Number(process.env.TRIBUTARY_RECORD_KAFKA_PORT ?? 20992);
const AT_ONCE = 3;

async function kafka(): Promise<{ access: BrokerAccess; cluster?: RunningCluster }> {
  const given = process.env.KAFKA_BOOTSTRAP?.split(",").filter(Boolean);
  if (given?.length) {
    const { KAFKA_ADMIN_USERNAME: username, KAFKA_ADMIN_PASSWORD: password } = process.env;
    return { access: { bootstrap: given, admin: username && password ? { username, password } : undefined } };
  }
  const homeDir = path.join(config.projectRoot, ".tributary", "record", "kafka");
  await rm(path.join(homeDir, "single"), { recursive: true, force: true });
  console.log(`Starting a broker for the recordings on 127.0.0.1:${PORT}…`);
  const cluster = await startJvmCluster({
    topology: clusterTopology("single", PORT),
    homeDir,
    pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
    learnerLimits: config.kafka.learnerQuotas,
    portSetting: "TRIBUTARY_RECORD_KAFKA_PORT",
    onProgress: () => {},
  });
  return { access: { bootstrap: cluster.bootstrap, admin: cluster.admin }, cluster };
}

/** The learner id a client's cookie carries. */
const learnerIdOf = (learner: LearnerClient) => /tributary_learner=([^.;]+)\./.exec(learner.cookie)?.[1] ?? "";

async function record(
  server: TestServer,
  inspector: BrokerInspector,
  store: SqliteProgressStore,
  exercise: Exercise,
  program: WrongProgram,
): Promise<string> {
  const catalog = await courseExercises();
  const learner = server.learner();
  const language = program.language as Language;
  for (const before of exercise.after) {
    const earlier = catalog.get(before)!;
    await solve(learner, earlier, earlier.languages.includes(language) ? language : earlier.language);
  }
  // An exercise on the lab runs through its faults there, and is read there with what the learner did to its brokers.
  const onLab = exercise.cluster === "lab";
  const ended = onLab
    ? (await runThroughFaults(learner, exercise, program.code, entryFile(language))).outcome
    : await settle(learner, exercise.id, program.code, entryFile(language));
  const lab = onLab ? await labInspector(server, learner) : undefined;
  const snapshot = await (lab?.inspector ?? inspector).snapshot(await learner.namespace(), snapshotRequest(exercise.checkpoint));
  await lab?.close();
  const runs = await store.runsOf(learnerIdOf(learner), exercise.id);
  const recording: Recording = {
    exerciseId: exercise.id,
    program: `wrong/${program.file}`,
    source: await sourceFingerprint(exercise, program),
    outcome: ended,
    snapshot: storeSnapshot(snapshot),
    runs,
    ...(lab && { lab: lab.graded }),
  };
  const verdict = await gradeSnapshot(exercise.id, exercise.checkpoint, snapshot, {
    graderFile: exercise.graderFile,
    runs,
    ownedTopics: Object.keys(exercise.owns.topics),
    ...(lab && { lab: lab.graded }),
  });
  const file = recordingFile(exercise, program);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(recording, null, 1)}\n`);
  const says = program.verdictSays ?? "";
  const ok = verdict.status === "fail" && verdict.message.includes(says);
  return `${ok ? "✓" : "✗"} ${exercise.id}/wrong/${program.file} (${ended}): ${verdict.status}${ok ? "" : ` — expected a failure saying "${says}", got: ${verdict.message}`}`;
}

/**
 * The learner's lab, read as the server's Checks read it: as the lab's super user (whose login the lab keeps in
 * its folder), with the stops and starts the learner's page shows. Then the lab is stopped for the next learner.
 */
async function labInspector(server: TestServer, learner: LearnerClient) {
  const { state } = await labState(learner);
  const credentials = path.join(server.stateDir, "labs", "place-0", "admin-credentials.json");
  const admin = JSON.parse(await readFile(credentials, "utf8")) as { username: string; password: string };
  const inspector = new BrokerInspector({ bootstrap: state.brokers.map((broker) => broker.address), admin });
  return {
    inspector,
    graded: { brokers: state.brokers.map((broker) => broker.id), changes: state.changes },
    close: async () => {
      await inspector.close();
      await labState(learner, "DELETE");
    },
  };
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const catalog = await courseExercises();
  const unknown = wanted.filter((id) => !catalog.has(id));
  if (unknown.length) throw new Error(`No exercise ${unknown.join(", ")} in content/.`);
  const jobs = [...catalog.values()]
    .filter((exercise) => wanted.length === 0 || wanted.includes(exercise.id))
    .flatMap((exercise) => exercise.wrong.map((program) => ({ exercise, program })));
  const { access, cluster } = await kafka();
  if (!(await probeKafka(access)).reachable) throw new Error(`Kafka at ${access.bootstrap.join(",")} does not answer.`);
  // One lab at a time: recordings of lab exercises run one after another (see below).
  const server = await startTestServer(access, { env: { TRIBUTARY_LABS: "1", TRIBUTARY_LAB_PORT: process.env.TRIBUTARY_LAB_PORT ?? "21500" } });
  const inspector = new BrokerInspector(access);
  const store = new SqliteProgressStore(server.config.progress.databasePath);
  let failures = 0;
  try {
    console.log(`Recording ${jobs.length} wrong programs, ${AT_ONCE} at a time…`);
    // A lab is one learner's three brokers: lab exercises are recorded one at a time, in a queue of their own.
    const queue = jobs.filter((job) => job.exercise.cluster !== "lab");
    const labQueue = jobs.filter((job) => job.exercise.cluster === "lab");
    await Promise.all(
      [...Array.from({ length: AT_ONCE }, () => queue), labQueue].map(async (queue) => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const line = await record(server, inspector, store, job.exercise, job.program).catch(
            (error: Error) => `✗ ${job!.exercise.id}/wrong/${job!.program.file}: ${error.message}`,
          );
          if (line.startsWith("✗")) failures++;
          console.log(line);
        }
      }),
    );
  } finally {
    await store.close();
    await inspector.close();
    await server.close();
    await cluster?.stop();
  }
  console.log(failures ? `${failures} recording(s) do not fail as their program says.` : "Every recording fails as its program says.");
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`✗ ${error.message}`);
    process.exit(1);
  },
);
