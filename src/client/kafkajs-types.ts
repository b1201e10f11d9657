// Type definitions the editor knows about: kafkajs's own, the course's "tributary" module, and the few Node globals a learner's
// program uses. The full @types/node would be megabytes for a handful of names.
import kafkajsTypes from "kafkajs/types/index.d.ts?raw";
// The "tributary" module learners import is bundled into their programs from this same file.
import learnerKit from "../../sandbox-server/src/runs/learner-kit.ts?raw";

const nodeShims = `
declare module "tls" { export interface ConnectionOptions { [option: string]: unknown } }
declare module "net" { export interface Socket { [member: string]: unknown } }
interface Buffer extends Uint8Array { toString(encoding?: string): string }
declare var Buffer: { from(data: string | Uint8Array | ArrayBuffer, encoding?: string): Buffer; byteLength(text: string): number };
declare var process: {
  env: Record<string, string | undefined>;
  argv: string[];
  exit(code?: number): never;
  on(event: "SIGTERM" | "SIGINT" | "exit", listener: () => void): void;
  once(event: "SIGTERM" | "SIGINT" | "exit", listener: () => void): void;
  hrtime: { bigint(): bigint };
};
declare var console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  table(data: unknown): void;
};
declare function setTimeout(callback: () => void, ms?: number): number;
declare function setInterval(callback: () => void, ms?: number): number;
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
`;

/** Extra libraries for Monaco's TypeScript service, keyed by the virtual path each is mounted at. */
export const editorLibraries: Record<string, string> = {
  "file:///node_modules/@types/kafkajs/index.d.ts": kafkajsTypes,
  "file:///node_modules/@types/tributary-node-shims/index.d.ts": nodeShims,
  "file:///node_modules/tributary/index.ts": learnerKit,
};
