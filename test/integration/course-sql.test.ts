// The course in Flink SQL, live (see test/support/course-suite.ts): half of the SQL exercises. Flink runs are
// long, so the SQL course is three files side by side: this half, course-sql-second-half.test.ts, and
// course-sql-in-order.test.ts for the whole course in reverse order.
import { courseSuite } from "../support/course-suite.ts";

await courseSuite("sql", { concurrent: false, shard: [0, 2], courseOrder: false });
