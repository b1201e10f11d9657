// One lab panel at work: it draws the page's reading of the learner's lab (see lab-watch.ts) into the markup
// LabPanel.astro drew, so nothing moves when it arrives, and sends what the learner presses.
import { changeLabBroker, startLab, stopLab, type LabState } from "../sandbox-api.ts";
import { isBusy, setBusy } from "../focus-handoff.ts";
import { RUN_REFUSED } from "./lab-signals.ts";
import { LabWatch, type LabView } from "./lab-watch.ts";
import { BROKER_STATE_WORDS, idleLine, labSentence, progressLine } from "./lab-words.ts";

type LabBroker = LabState["brokers"][number];

interface BrokerRow {
  id: number;
  root: HTMLElement;
  state: HTMLElement;
  address: HTMLElement;
  button: HTMLButtonElement;
}

function find<T extends Element>(root: Element, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`The lab panel's markup has no ${selector}.`);
  return element;
}

/**
 * Makes a button available or not. One that holds the focus keeps it, said to be unavailable (aria-disabled,
 * drawn as disabled), so the keyboard is not thrown back to the page's top; any other leaves the tab order.
 */
function setAvailable(button: HTMLButtonElement, available: boolean): void {
  const focused = document.activeElement === button;
  button.disabled = !available && !focused;
  setBusy(button, !available && focused);
}

class LabPanel implements LabView {
  readonly #watch: LabWatch;
  readonly #root: HTMLElement;
  readonly #action: HTMLButtonElement;
  readonly #status: HTMLElement;
  readonly #progress: HTMLElement;
  readonly #idle: HTMLElement;
  readonly #rows: BrokerRow[];
  /** The lab's state in words, and the last text the status line said. */
  #sentence = "";
  #said = "";
  /**
   * A request that failed, said in place of the state until the learner acts again or the phase changes; one
   * that only read the lab goes as soon as the server answers again.
   */
  #problem?: { message: string; ofRead: boolean };
  #phase?: LabState["phase"];
  #speaks = false;

  constructor(root: HTMLElement, watch: LabWatch) {
    this.#watch = watch;
    this.#root = root;
    this.#action = find(root, "button[data-lab-action]");
    this.#status = find(root, "[data-lab-status]");
    this.#progress = find(root, "[data-lab-progress]");
    this.#idle = find(root, "[data-lab-idle]");
    this.#rows = [...root.querySelectorAll<HTMLElement>("[data-lab-broker]")].map((row) => ({
      id: Number(row.dataset.labBroker),
      root: row,
      state: find(row, "[data-lab-broker-state]"),
      address: find(row, "[data-lab-broker-address]"),
      button: find(row, "button[data-lab-broker-action]"),
    }));
    this.#action.addEventListener("click", () => void this.#act());
    for (const row of this.#rows) row.button.addEventListener("click", () => void this.#changeBroker(row));
    // A refused run may mean the lab is not as the page shows it (stopped while unused, say): read it again.
    root.closest("[data-exercise]")?.addEventListener(RUN_REFUSED, () => void watch.read());
  }

  /** Start lab, Try again or Stop lab, as the lab's phase makes the one button. */
  async #act(): Promise<void> {
    const lab = this.#watch.lab;
    if (!lab || isBusy(this.#action)) return;
    const start = lab.phase === "off" || lab.phase === "failed";
    this.#watch.speakFrom(this);
    this.#problem = undefined;
    // Busy, not disabled: the focus stays on the button, whose label changes with the phase.
    setBusy(this.#action, true);
    // Said at once: a stop may take a while to answer.
    this.#sentence = start ? "Asking for your lab…" : "Stopping your lab…";
    this.#say();
    await this.#watch.request(start ? startLab : stopLab, this);
    setBusy(this.#action, false);
    // Read once more whatever came back: an answer to another request may have overtaken this one's.
    void this.#watch.read();
  }

  async #changeBroker(row: BrokerRow): Promise<void> {
    const { lab, changing } = this.#watch;
    const broker = lab?.brokers.find((candidate) => candidate.id === row.id);
    if (!broker || lab?.phase !== "ready" || changing.has(row.id) || (broker.state !== "up" && broker.state !== "stopped")) return;
    this.#watch.speakFrom(this);
    this.#problem = undefined;
    changing.add(row.id);
    this.#watch.redraw();
    await this.#watch.request(() => changeLabBroker(row.id, broker.state === "up" ? "stop" : "start"), this);
    changing.delete(row.id);
    this.#watch.redraw();
    // Read once more: refused (the broker was already so, the lab stopped meanwhile), the page's picture is out
    // of date; answered, another request's answer may have overtaken this one's.
    void this.#watch.read();
  }

  show(lab: LabState): void {
    if (lab.phase !== this.#phase || this.#problem?.ofRead) this.#problem = undefined;
    this.#phase = lab.phase;
    this.#root.dataset.labPhase = lab.offered ? lab.phase : "not-offered";
    this.#action.textContent = lab.phase === "failed" ? "Try again" : lab.phase === "off" || !lab.offered ? "Start lab" : "Stop lab";
    if (!isBusy(this.#action)) setAvailable(this.#action, lab.offered);
    this.#progress.textContent = progressLine(lab);
    if (lab.idleStopSeconds) this.#idle.textContent = idleLine(lab.idleStopSeconds);
    for (const row of this.#rows)
      this.#showBroker(
        row,
        lab.brokers.find((broker) => broker.id === row.id),
        lab.phase === "ready",
      );
    this.#sentence = labSentence(lab);
    this.#say();
  }

  problem(message: string, ofRead: boolean): void {
    this.#problem = { message, ofRead };
    this.#say();
  }

  speak(on: boolean): void {
    this.#speaks = on;
    // Until it has said something, the status line holds the page's first text: no news to announce.
    if (this.#said) this.#status.setAttribute("aria-live", on ? "polite" : "off");
  }

  #showBroker(row: BrokerRow, broker: LabBroker | undefined, ready: boolean): void {
    const state = broker?.state ?? "off";
    row.root.dataset.state = state;
    row.state.textContent = BROKER_STATE_WORDS[state];
    row.address.textContent = broker?.address ?? "";
    const verb = state === "stopped" || state === "starting" ? "Start" : "Stop";
    row.button.textContent = `${verb} broker ${row.id}`;
    setAvailable(row.button, ready && (state === "up" || state === "stopped") && !this.#watch.changing.has(row.id));
  }

  /**
   * Says the problem, if any, else the lab's state, when that differs from what was said last. The status line
   * of the panel that speaks is a polite live region, so a screen reader hears each change once.
   */
  #say(): void {
    const text = this.#problem?.message ?? this.#sentence;
    if (text === this.#said) return;
    const first = !this.#said;
    this.#said = text;
    this.#status.textContent = text;
    if (first) this.speak(this.#speaks);
  }
}

const watch = new LabWatch();

/** Brings the lab panel `root` (a LabPanel component) to life, drawing the page's reading of the lab. */
export function mountLabPanel(root: HTMLElement): void {
  watch.join(new LabPanel(root, watch));
}
