// contract/: the one source of the shapes the site, the server and the tests exchange. Zod schemas
// validate requests and generate the OpenAPI document; every type here is inferred from them.
export * from "./api.ts";
export * from "./ids.ts";
export * from "./run-events.ts";
export * from "./verdict.ts";
export * from "./languages.ts";
export * from "./language-schema.ts";
export type { GraderInput, GraderCheck, GradedRecord, GradedTopic, GradedGroup, GradedRun, GradedLab, GradedLabChange } from "./grader.ts";
export { recordsOfLatestRun } from "./grader.ts";
export * from "./live-view.ts";
export * from "./lab.ts";
