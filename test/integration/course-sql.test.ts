// The course's exercises offered in Flink SQL, live against the real broker: see test/support/course-suite.ts.
import { courseSuite } from "../support/course-suite.ts";

await courseSuite("sql", { concurrent: false });
