// Processes started before anyone presses Run, for every language: building a sandbox and starting an
// interpreter in it (Node with kafkajs loaded, Python with kafka-python imported, a JVM with Flink warmed
// up) is most of what a Run waits for, and none of it depends on the run. Each language keeps its own
// count, from the start or once a learner opens one of its exercises; each process serves one run, and
// the pool starts another in its place.
import { randomUUID } from "node:crypto";
import type { Language } from "../../contract/languages.ts";
import type { RunLimits } from "../../config.ts";
import { log } from "../../log.ts";
import type { LanguageRuntime } from "../languages/language-runtime.ts";
import type { ProgramHost } from "./program-host.ts";
import type { ProgramProcess } from "./program-process.ts";
import { startProgramProcess } from "./start-program.ts";

interface LanguageSlots {
  runtime: LanguageRuntime;
  limits: RunLimits;
  /** How many to keep; 0 until an on-demand language is asked for. */
  size: number;
  ready: ProgramProcess[];
  starting: Set<Promise<void>>;
}

export class ProgramPool {
  readonly #host: ProgramHost;
  readonly #slots = new Map<Language, LanguageSlots>();
  #closed = false;

  /** `limitsOf` gives each language's process limits. */
  constructor(host: ProgramHost, runtimes: LanguageRuntime[], limitsOf: (runtime: LanguageRuntime) => RunLimits) {
    this.#host = host;
    for (const runtime of runtimes) {
      const slots: LanguageSlots = {
        runtime,
        limits: limitsOf(runtime),
        size: runtime.warm.when === "always" ? runtime.warm.count : 0,
        ready: [],
        starting: new Set(),
      };
      this.#slots.set(runtime.language, slots);
      this.#fill(slots);
    }
  }

  /** Keeps an on-demand language's processes started from now on: a learner is about to need one. */
  warmUp(language: Language): void {
    const slots = this.#slots.get(language);
    if (!slots || slots.size > 0) return;
    slots.size = slots.runtime.warm.count;
    this.#fill(slots);
  }

  /** A process of the language waiting for its run, or undefined when none is ready (the caller starts one). */
  take(language: Language): ProgramProcess | undefined {
    const slots = this.#slots.get(language);
    if (!slots) return undefined;
    // A process that died while waiting (the OOM killer, say) serves no one.
    for (const dead of slots.ready.filter((proc) => !proc.alive)) void dead.discard();
    slots.ready = slots.ready.filter((proc) => proc.alive);
    const proc = slots.ready.shift();
    this.#fill(slots);
    return proc;
  }

  /** Processes waiting for a run, per language. */
  readyCounts(): Partial<Record<Language, number>> {
    return Object.fromEntries([...this.#slots].map(([language, slots]) => [language, slots.ready.length]));
  }

  #fill(slots: LanguageSlots): void {
    while (!this.#closed && slots.ready.length + slots.starting.size < slots.size) {
      const starting: Promise<void> = startProgramProcess(this.#host, slots.runtime, randomUUID(), slots.limits)
        .then(async (proc) => {
          if (this.#closed) await proc.discard();
          else slots.ready.push(proc);
        })
        .catch((error: Error) => log.warn({ language: slots.runtime.language, err: error.message }, "could not start a spare program process"))
        .finally(() => slots.starting.delete(starting));
      slots.starting.add(starting);
    }
  }

  /** Ends every waiting process, and those still starting; the pool starts no more. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#slots.values()];
    await Promise.all(all.flatMap((slots) => [...slots.ready.splice(0).map((proc) => proc.discard()), ...slots.starting]));
  }
}
