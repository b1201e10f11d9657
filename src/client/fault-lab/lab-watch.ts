// The learner's lab as this page knows it, shared by every lab panel on the page (a lesson may hold several
// exercises that run on the lab, each with its panel): one reading, asked for once a second while the lab
// changes and the page is shown, and each answer drawn by every panel alike.
import { SandboxError, fetchLab, type LabState } from "../sandbox-api.ts";
import { CLUSTER_READY } from "./lab-signals.ts";

/** How often the page asks after a lab that is changing. */
const POLL_MS = 1000;
/** How long it waits to ask again after the server did not answer, while the lab was changing. */
const RETRY_MS = 5000;

/** What the panels show where the server has no lab routes. */
const NOT_OFFERED: LabState = { offered: false, phase: "off", brokers: [], changes: [], capacity: { labs: 0, running: 0, waiting: 0 } };

/** What a panel does with the shared reading. */
export interface LabView {
  show(lab: LabState): void;
  /** A request failed: `ofRead` when it only read the lab (every panel says it), else the learner's action in this panel. */
  problem(message: string, ofRead: boolean): void;
  /** Whether this panel's status line speaks to a screen reader: one panel at a time, so a change is said once. */
  speak(on: boolean): void;
}

/** Whether the lab is on its way somewhere: the page keeps asking until it arrives. */
const isChanging = (lab: LabState) =>
  lab.phase === "queued" || lab.phase === "starting" || lab.brokers.some((broker) => broker.state === "stopping" || broker.state === "starting");

export class LabWatch {
  /** The reading the panels show; undefined until the first answer. */
  lab?: LabState;
  /** Brokers whose change the learner asked for and the server has not answered yet. */
  readonly changing = new Set<number>();
  readonly #views: LabView[] = [];
  /** The panel that says changes aloud: the one the learner last acted in, else the first. */
  #voice?: LabView;
  /** Requests sent, and the latest whose answer is shown: an answer overtaken by a later request's is dropped. */
  #sent = 0;
  #shown = 0;
  #asking = false;
  #readAgain = false;
  #timer?: ReturnType<typeof setTimeout>;

  constructor() {
    // A hidden page asks nothing; shown again, it reads the lab at once (it may have been stopped meanwhile).
    document.addEventListener("visibilitychange", () => (document.hidden ? clearTimeout(this.#timer) : void this.read()));
  }

  /** Adds a panel: it draws the reading the page has, or the first one asked for now. */
  join(view: LabView): void {
    this.#views.push(view);
    this.speakFrom(this.#voice ?? view);
    if (this.lab) view.show(this.lab);
    else void this.read();
  }

  /** Makes `view` the panel that speaks, and the others silent. */
  speakFrom(view: LabView): void {
    this.#voice = view;
    for (const each of this.#views) each.speak(each === view);
  }

  /** Draws the reading again in every panel (a change asked for, or answered). */
  redraw(): void {
    if (this.lab) for (const view of this.#views) view.show(this.lab);
  }

  /**
   * Sends one request whose answer is the lab's state, and shows that state unless a later request's is shown.
   * `from`: the panel the learner acted in; without it, the request only reads the lab.
   */
  async request(send: () => Promise<LabState>, from?: LabView): Promise<boolean> {
    const sequence = ++this.#sent;
    try {
      const lab = await send();
      if (sequence > this.#shown) {
        this.#shown = sequence;
        this.#publish(lab);
      }
      return true;
    } catch (error) {
      // A server that offers no labs has no lab routes at all.
      if (!from && error instanceof SandboxError && error.status === 404) {
        this.#publish(NOT_OFFERED);
        return true;
      }
      const message = error instanceof Error ? error.message : String(error);
      for (const view of from ? [from] : this.#views) view.problem(message, !from);
      return false;
    }
  }

  /**
   * Reads the lab, then asks again in a second while it is changing. Asked while a read is on its way, it reads
   * once more after that one: the answer on its way may predate what the caller knows has changed.
   */
  async read(): Promise<void> {
    if (this.#asking) {
      this.#readAgain = true;
      return;
    }
    this.#asking = true;
    clearTimeout(this.#timer);
    const answered = await this.request(fetchLab);
    this.#asking = false;
    if (this.#readAgain) {
      this.#readAgain = false;
      return this.read();
    }
    this.#askAgainIfChanging(answered ? POLL_MS : RETRY_MS);
  }

  #askAgainIfChanging(delayMs: number): void {
    clearTimeout(this.#timer);
    if (document.hidden || !this.lab || !isChanging(this.lab)) return;
    this.#timer = setTimeout(() => void this.read(), delayMs);
  }

  #publish(lab: LabState): void {
    const was = this.lab?.phase;
    this.lab = lab;
    for (const view of this.#views) view.show(lab);
    if (lab.phase === "ready" && was !== "ready") window.dispatchEvent(new CustomEvent(CLUSTER_READY, { detail: "lab" }));
  }
}
