// exercises/: the course's exercises as data, read from content/.
export { loadExerciseCatalog, parseHints, EXERCISE_ID_PATTERN, LANGUAGES, type Exercise, type ExerciseCode, type Language, type ExerciseCatalog } from "./catalog.ts";
export { checkpointSpecSchema, type CheckpointSpec, type CheckSpec } from "./checkpoint-spec.ts";
