// exercises/: the course's exercises as data, read from content/.
export {
  loadExerciseCatalog,
  parseHints,
  LANGUAGES,
  type Exercise,
  type ExerciseCode,
  type Language,
  type ExerciseCatalog,
  type WrongProgram,
} from "./catalog.ts";
export { checkpointSpecSchema, type CheckpointSpec, type CheckSpec, type CheckpointInput } from "./checkpoint-spec.ts";
export { exerciseFileSchemas } from "./file-schemas.ts";
