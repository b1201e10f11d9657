// The course in Flink SQL, live: the other half of the SQL exercises (see course-sql.test.ts).
import { courseSuite } from "../support/course-suite.ts";

await courseSuite("sql", { concurrent: false, shard: [1, 2], courseOrder: false });
