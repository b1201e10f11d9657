// The messages between the server and its spawner process (spawner-helper.ts), over Node's IPC channel.

/** From the server: start a process, or write its stdin (and close it). */
export type SpawnerRequest =
  | { type: "spawn"; id: number; command: string; args: string[]; cwd: string; env: Record<string, string>; outputCapBytes: number }
  | { type: "stdin"; id: number; data: string };

/** From the spawner: what happened to a process it started, in the order it happened. */
export type SpawnerReply =
  | { type: "spawned"; id: number; pid: number | undefined }
  | { type: "output"; id: number; stream: "stdout" | "stderr"; data: string }
  /** Its launcher has loaded what every program needs and waits for its run (it wrote to LOADED_FD, sandbox-paths.ts). */
  | { type: "loaded"; id: number }
  /** It wrote more than its cap: what follows is not relayed, and the run is to be stopped. */
  | { type: "capped"; id: number }
  | { type: "error"; id: number; message: string }
  | { type: "exit"; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { type: "close"; id: number };
