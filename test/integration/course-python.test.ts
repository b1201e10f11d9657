// The course's exercises offered in Python, live against the real broker: see test/support/course-suite.ts.
import { courseSuite } from "../support/course-suite.ts";

await courseSuite("python", { concurrent: true });
