// What the editor's type checker knows, which must be what a program really gets in the sandbox:
// Node's own types (its globals such as `performance` and `process`, and its `node:` modules), kafkajs's
// types, and the course's "tributary" module. Anything less shows learners red squiggles under code
// that runs. They load with the editor, never with the lesson text.
import kafkajsTypes from "kafkajs/types/index.d.ts?raw";
// The "tributary" module learners import is bundled into their programs from this same file.
import learnerKit from "../../sandbox-server/src/runs/inside/learner-kit.ts?raw";

// @types/node for the TypeScript inside Monaco (5.9: the top-level files; ts5.6/ and ts5.7/ are for older
// compilers), and undici-types, which it imports for fetch.
const nodeTypes = import.meta.glob<string>(
  [
    "/node_modules/@types/node/*.d.ts",
    "/node_modules/@types/node/{assert,compatibility,dns,fs,readline,stream,timers,web-globals}/*.d.ts",
    "/node_modules/undici-types/*.d.ts",
  ],
  { query: "?raw", import: "default", eager: true },
);

/** Extra libraries for Monaco's TypeScript service, keyed by the virtual path each is mounted at. */
export const editorLibraries: Record<string, string> = {
  ...Object.fromEntries(Object.entries(nodeTypes).map(([file, text]) => [`file://${file}`, text])),
  "file:///node_modules/@types/kafkajs/index.d.ts": kafkajsTypes,
  "file:///node_modules/tributary/index.ts": learnerKit,
};
