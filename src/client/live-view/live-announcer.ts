// What changed, said politely to a screen reader: one live region per page, at most one message every few
// seconds, a few sentences each and the rest counted, the same sentence never twice in a row.

const PAUSE_MS = 4000;
const SENTENCES = 3;

let region: HTMLElement | undefined;
let queued: string[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let lastSaid = "";

function speak(): void {
  timer = undefined;
  if (queued.length === 0) return;
  const sentences = [...new Set(queued)];
  queued = [];
  const rest = sentences.length - SENTENCES;
  const message = `${sentences.slice(0, SENTENCES).join(" ")}${rest > 0 ? ` And ${rest} more change${rest === 1 ? "" : "s"}.` : ""}`;
  if (message !== lastSaid) {
    lastSaid = message;
    region!.textContent = message;
  }
  timer = setTimeout(speak, PAUSE_MS);
}

/** Queues sentences to be said; they go out together, a few seconds after the last message at the earliest. */
export function announce(sentences: string[]): void {
  if (sentences.length === 0) return;
  if (!region) {
    region = document.createElement("p");
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    region.dataset.liveAnnouncer = "";
    document.body.append(region);
  }
  queued.push(...sentences);
  if (timer === undefined) timer = setTimeout(speak, 300);
}
