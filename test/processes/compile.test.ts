import { describe, expect, it } from "vitest";
import { compileProgram } from "../../sandbox-server/src/runs/index.ts";

describe("compileProgram", () => {
  it("strips types and keeps packages and built-ins as imports for Node to resolve", async () => {
    const result = await compileProgram({
      "main.ts": 'import { Kafka } from "kafkajs";\nimport os from "node:os";\nconst n: number = 1;\nconsole.log(Kafka, os, n);',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.code).toMatch(/from "kafkajs"/);
    expect(result.code).toMatch(/from "node:os"/);
    expect(result.code).not.toContain(": number");
    expect(result.code).toContain("sourceMappingURL=data:application/json");
  });

  it("bundles the learner's other files imported with a relative path", async () => {
    const result = await compileProgram({
      "main.ts": 'import { greet } from "./greeting";\nconsole.log(greet());',
      "greeting.ts": 'export const greet = (): string => "hello from greeting";',
    });
    expect(result.ok && result.code).toContain("hello from greeting");
  });

  it("reports a syntax error with the file, line and column", async () => {
    const result = await compileProgram({ "main.ts": "const x = ;\n" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain("main.ts:1:10");
    expect(result.message).toMatch(/Unexpected ";"/);
  });

  it("reports an import of a file the learner did not send", async () => {
    const result = await compileProgram({ "main.ts": 'import "./missing";' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('Cannot find file "./missing" among your files.');
  });

  it("allows top-level await, as the exercises use it", async () => {
    const result = await compileProgram({ "main.ts": "await Promise.resolve();\nconsole.log('done');" });
    expect(result.ok).toBe(true);
  });
});
