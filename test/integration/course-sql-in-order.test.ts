// The course in Flink SQL, live: every solution in course order, then in reverse, on one learner (see course-sql.test.ts).
import { courseSuite } from "../support/course-suite.ts";

await courseSuite("sql", { concurrent: false, perExercise: false });
