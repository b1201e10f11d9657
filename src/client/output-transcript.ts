// What a screen reader hears of a run: the terminal draws its text on rows hidden from assistive
// technology, so each new output line is copied, as plain text, into a live log beside it. Lines are
// handed over at most a few per second; a flood is summed up instead of read out line by line.

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
/** How often new lines reach the reader, and how many at a time. */
const FLUSH_MS = 1000;
const LINES_PER_FLUSH = 4;
/** The log keeps this many entries, so a screen reader can still read back the latest output. */
const KEEP = 200;

export interface OutputTranscript {
  write(text: string): void;
  /** A line from Tributary itself (the run finished, it waits in line): read at once, never summed up. */
  note(text: string): void;
  clear(): void;
}

/** Adds a visually hidden live log to `host` and returns what feeds it. */
export function mountOutputTranscript(host: HTMLElement, label: string): OutputTranscript {
  const log = document.createElement("div");
  log.className = "visually-hidden";
  log.setAttribute("role", "log");
  log.setAttribute("aria-label", label);
  host.append(log);
  let partial = "";
  let pending: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const append = (text: string) => {
    const line = document.createElement("p");
    line.textContent = text;
    log.append(line);
    while (log.childElementCount > KEEP) log.firstElementChild?.remove();
  };
  const flush = () => {
    timer = undefined;
    if (pending.length > LINES_PER_FLUSH) {
      const skipped = pending.length - 1;
      append(`${skipped} more lines of output. The latest: ${pending.at(-1)}`);
    } else pending.forEach(append);
    pending = [];
  };
  return {
    write(text) {
      const lines = (partial + text.replace(ANSI, "").replace(/\r(?!\n)/g, "\n")).split(/\r?\n/);
      partial = lines.pop() ?? "";
      pending.push(...lines.filter((line) => line.trim() !== ""));
      // A line without its newline yet (a prompt, a progress dot) is read once the output pauses.
      if (pending.length === 0 && partial.trim() === "") return;
      timer ??= setTimeout(() => {
        if (partial.trim() !== "") {
          pending.push(partial);
          partial = "";
        }
        flush();
      }, FLUSH_MS);
    },
    note(text) {
      clearTimeout(timer);
      timer = undefined;
      if (partial.trim() !== "") pending.push(partial);
      partial = "";
      flush();
      append(text);
    },
    clear() {
      clearTimeout(timer);
      timer = undefined;
      partial = "";
      pending = [];
      log.replaceChildren();
    },
  };
}
