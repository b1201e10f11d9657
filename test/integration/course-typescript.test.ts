// The course's exercises offered in TypeScript, live against the real broker: see test/support/course-suite.ts.
import { courseSuite } from "../support/course-suite.ts";

await courseSuite("typescript", { concurrent: true });
