// Processes started before anyone presses Run, for every language: building a sandbox and starting an
// interpreter in it (Node with kafkajs loaded, Python with kafka-python imported, a JVM with Flink warmed
// up) is most of what a Run waits for, and none of it depends on the run. Each language keeps its own
// count, from the start or once a learner opens one of its exercises; each process serves one run, and
// the pool starts another in its place. Beyond that count, a language may be asked to keep one more for each
// learner who reads the course with no program running (so a class that presses Run together finds its
// processes started); those are started only while the machine has cores to spare, a few at a time.
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
  /** How many more to keep for learners who are reading (see `expect`). */
  forReaders: number;
  ready: ProgramProcess[];
  starting: Set<Promise<void>>;
  /** After a start failed, no other starts before this time (ms since the epoch); the wait doubles each time. */
  retryAt: number;
  failures: number;
}

/**
 * A start counts as starting until its launcher says it has loaded (Node with kafkajs takes about 60 ms of CPU,
 * Python with kafka-python about 150), or for this long at most (a process whose launcher does not say so).
 */
const LOADING_AT_MOST_MS = 10_000;
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 60_000;

/** Whether the machine has room now to start a process for a reader, and how many such starts may run at once. */
export interface SpareRoom {
  now(): boolean;
  startsAtOnce: number;
}

export class ProgramPool {
  readonly #host: ProgramHost;
  readonly #slots = new Map<Language, LanguageSlots>();
  readonly #room: SpareRoom;
  /** Processes spawned and still loading their interpreter (see LOADING_AT_MOST_MS). */
  #loading = 0;
  #closed = false;

  /** `limitsOf` gives each language's process limits; `room` says when processes for readers may start. */
  constructor(
    host: ProgramHost,
    runtimes: LanguageRuntime[],
    limitsOf: (runtime: LanguageRuntime) => RunLimits,
    room: SpareRoom = { now: () => false, startsAtOnce: 1 },
  ) {
    this.#host = host;
    this.#room = room;
    for (const runtime of runtimes) {
      const slots: LanguageSlots = {
        runtime,
        limits: limitsOf(runtime),
        size: runtime.warm.when === "always" ? runtime.warm.count : 0,
        forReaders: 0,
        ready: [],
        starting: new Set(),
        retryAt: 0,
        failures: 0,
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

  /**
   * Keeps `readers` more processes of each language than its own count, one for each learner reading with no
   * program running: a language started ahead of time anyway ("always") only. Processes beyond what is now
   * wanted are ended; missing ones start while the machine has room (call again when it may have).
   */
  expect(readers: Partial<Record<Language, number>>): void {
    for (const [language, slots] of this.#slots) {
      if (slots.runtime.warm.when !== "always") continue;
      slots.forReaders = readers[language] ?? 0;
      this.#dropDead(slots);
      // The newest go first: the oldest have long finished loading.
      const surplus = slots.ready.length - (slots.size + slots.forReaders);
      if (surplus > 0) for (const proc of slots.ready.splice(-surplus)) void proc.discard();
      this.#fill(slots);
    }
  }

  /** A process of the language waiting for its run, or undefined when none is ready (the caller starts one). */
  take(language: Language): ProgramProcess | undefined {
    const slots = this.#slots.get(language);
    if (!slots) return undefined;
    this.#dropDead(slots);
    const proc = slots.ready.shift();
    // The reader it was kept for now runs: no other is started in its place until the readers are counted again.
    if (proc && slots.forReaders > 0) slots.forReaders--;
    this.#fill(slots);
    return proc;
  }

  /** A process that died while waiting (the OOM killer, say) serves no one. */
  #dropDead(slots: LanguageSlots): void {
    for (const dead of slots.ready.filter((proc) => !proc.alive)) void dead.discard();
    slots.ready = slots.ready.filter((proc) => proc.alive);
  }

  /** Processes waiting for a run, per language. */
  readyCounts(): Partial<Record<Language, number>> {
    return Object.fromEntries([...this.#slots].map(([language, slots]) => [language, slots.ready.length]));
  }

  #fill(slots: LanguageSlots): void {
    const wanted = () => {
      const have = slots.ready.length + slots.starting.size;
      if (have < slots.size) return true;
      // For readers: only with room to spare, and a few at a time, so a class's Runs are not slowed by them.
      const loading = [...this.#slots.values()].reduce((sum, each) => sum + each.starting.size, this.#loading);
      return have < slots.size + slots.forReaders && loading < this.#room.startsAtOnce && this.#room.now();
    };
    while (!this.#closed && Date.now() >= slots.retryAt && wanted()) {
      const starting: Promise<void> = startProgramProcess(this.#host, slots.runtime, randomUUID(), slots.limits)
        .then(async (proc) => {
          slots.failures = 0;
          if (this.#closed) return proc.discard();
          slots.ready.push(proc);
          // Still loading its interpreter: counted so, that readers' processes load a few at a time. (Flink SQL's
          // runners warm up for seconds and say nothing; they are not started for readers.)
          if (slots.runtime.warm.when !== "always") return;
          this.#loading++;
          let timer: NodeJS.Timeout | undefined;
          const atMost = new Promise<void>((resolve) => (timer = setTimeout(resolve, LOADING_AT_MOST_MS).unref()));
          void Promise.race([proc.loaded, atMost]).then(() => {
            clearTimeout(timer);
            this.#loading--;
            for (const each of this.#slots.values()) if (each.forReaders > 0) this.#fill(each);
          });
        })
        .catch((error: Error) => {
          // Tried again after a while, not at every count of the readers: it would likely fail again.
          slots.failures++;
          slots.retryAt = Date.now() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (slots.failures - 1));
          log.warn({ language: slots.runtime.language, err: error.message }, "could not start a spare program process");
        })
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
