// What a real run of a course program left on the broker, kept as a file so a test can grade it in
// milliseconds: the snapshot a Check reads, the learner's run records, and a fingerprint of the files the
// run depended on. `npm run record` makes them from live runs; a recording whose program, exercise.json or
// checkpoint.json changed since is stale, and the test that grades it says how to make it again.
import type { GradedLab } from "../../sandbox-server/src/contract/grader.ts";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import type { Exercise, WrongProgram } from "../../sandbox-server/src/exercises/index.ts";
import type { BrokerSnapshot, GroupState, TopicState } from "../../sandbox-server/src/kafka/index.ts";
import type { ExerciseRuns } from "../../sandbox-server/src/runs/index.ts";

const config = loadConfig();
export const RECORDINGS_DIR = path.join(config.projectRoot, "test", "recordings");

/** A snapshot as JSON holds it: maps as arrays. */
export interface StoredSnapshot {
  brokerCount: number;
  topics: TopicState[];
  groups: (Omit<GroupState, "committed"> & { committed: [number, number][] })[];
}

export interface Recording {
  exerciseId: string;
  /** The program's file in the exercise folder, e.g. "wrong/nine-messages.py". */
  program: string;
  /** The fingerprint of what the run depended on when it was recorded (see `sourceFingerprint`). */
  source: string;
  /** How the run ended. */
  outcome: string;
  snapshot: StoredSnapshot;
  runs: ExerciseRuns;
  /** What happened to the learner's lab cluster during the run, for an exercise on the lab. */
  lab?: GradedLab;
}

export function storeSnapshot(snapshot: BrokerSnapshot): StoredSnapshot {
  return {
    brokerCount: snapshot.brokerCount,
    topics: [...snapshot.topics.values()],
    groups: [...snapshot.groups.values()].map((group) => ({ ...group, committed: [...group.committed] })),
  };
}

export function loadSnapshot(stored: StoredSnapshot): BrokerSnapshot {
  return {
    brokerCount: stored.brokerCount,
    topics: new Map(stored.topics.map((topic) => [topic.name, topic])),
    groups: new Map(stored.groups.map((group) => [`${group.group}/${group.topic}`, { ...group, committed: new Map(group.committed) }])),
  };
}

/** The exercise's folder in content/. */
export const exerciseDir = (exercise: Exercise) => path.join(config.contentDir, exercise.lesson, "exercises", exercise.id);

/** A fingerprint of the program and the files that decide what its run leaves and what a Check reads. */
export async function sourceFingerprint(exercise: Exercise, program: WrongProgram): Promise<string> {
  const dir = exerciseDir(exercise);
  const digest = createHash("sha256");
  for (const file of [`wrong/${program.file}`, "exercise.json", "checkpoint.json"]) {
    digest.update(`${file}\n`);
    digest.update(await readFile(path.join(dir, file), "utf8").catch(() => ""));
  }
  return digest.digest("hex").slice(0, 16);
}

/** Where a wrong program's recording lives. */
export const recordingFile = (exercise: Exercise, program: WrongProgram) => path.join(RECORDINGS_DIR, exercise.id, `${program.file}.json`);

export async function readRecording(exercise: Exercise, program: WrongProgram): Promise<Recording | undefined> {
  const text = await readFile(recordingFile(exercise, program), "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as Recording);
}
