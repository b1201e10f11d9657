// Every plausible wrong program of the course, in every language, graded as the server grades a Check, on
// what a real run of it left on the broker (recorded with `npm run record`): each fails, and its verdict
// holds the words of its "The checkpoint says:" line. A wrong program without a recording, or whose
// program, exercise.json or checkpoint.json changed since it was recorded, fails here and says what to run.
// The live course tests run the solutions, the starters and a sample of these programs against the broker.
import { describe, expect, it } from "vitest";
import { gradeSnapshot } from "../../sandbox-server/src/grading/index.ts";
import { courseExercises } from "../support/sandbox-client.ts";
import { loadSnapshot, readRecording, sourceFingerprint } from "../support/recordings.ts";

const catalog = await courseExercises();
const cases = [...catalog.values()].flatMap((exercise) =>
  exercise.wrong.map((program) => [`${exercise.id}/wrong/${program.file}`, exercise, program] as const),
);

it("every exercise has at least two wrong programs in every language it is offered in, each saying what its verdict says", () => {
  for (const exercise of catalog.values()) {
    for (const language of exercise.languages) {
      const programs = exercise.wrong.filter((program) => program.language === language);
      expect(programs.length, `${exercise.id} in ${language}`).toBeGreaterThanOrEqual(2);
      for (const program of programs)
        expect(program.verdictSays, `${exercise.id}/wrong/${program.file} has no "The checkpoint says:" line`).toBeTruthy();
    }
  }
});

describe.each(cases)("%s", (name, exercise, program) => {
  it(`fails, saying "${program.verdictSays}"`, async () => {
    const recording = await readRecording(exercise, program);
    const record = `npm run record -- ${exercise.id}`;
    expect(recording, `${name} has no recording: run \`${record}\` (Kafka, and Flink for SQL, start by themselves).`).toBeDefined();
    expect(recording!.source, `${name}'s recording is stale (the program, exercise.json or checkpoint.json changed): run \`${record}\`.`).toBe(
      await sourceFingerprint(exercise, program),
    );
    const verdict = await gradeSnapshot(exercise.id, exercise.checkpoint, loadSnapshot(recording!.snapshot), {
      graderFile: exercise.graderFile,
      runs: recording!.runs,
      ownedTopics: Object.keys(exercise.owns.topics),
      ...(recording!.lab && { lab: recording!.lab }),
    });
    expect(verdict.status, `${program.mistake} — yet it passed (its run ended: ${recording!.outcome}).`).toBe("fail");
    expect(verdict.message, program.mistake).toContain(program.verdictSays);
  });
});
