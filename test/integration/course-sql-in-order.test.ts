// The course in Flink SQL, live: every solution in reverse course order, on one learner, so each runs after
// the exercises that come after it (see course-sql.test.ts); clusters/three-brokers.ts runs them in order.
import { courseSuite } from "../support/course-suite.ts";

await courseSuite("sql", { concurrent: false, perExercise: false, courseOrder: "reverse" });
