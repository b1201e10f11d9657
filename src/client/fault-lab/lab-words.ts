// The lab panel's words: what it says of the learner's lab and each broker, built from the server's state
// alone, so the same state always reads the same (and a screen reader hears a sentence only when it changes).
import type { LabBroker, LabState } from "#contract/lab";

/** A broker's state in words; "off" is a broker of a lab that is not running. */
export const BROKER_STATE_WORDS: Record<LabBroker["state"] | "off", string> = {
  up: "up",
  stopping: "stopping…",
  stopped: "stopped",
  starting: "starting…",
  off: "not running",
};

/** "broker 2", "brokers 1 and 3", "brokers 1, 2 and 3". */
function brokerNames(ids: number[]): string {
  if (ids.length === 1) return `broker ${ids[0]}`;
  return `brokers ${ids.slice(0, -1).join(", ")} and ${ids.at(-1)}`;
}

/** Ends a sentence from the server with a full stop unless it has one. */
const sentence = (text: string) => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** "Your lab is ready: brokers 1 and 3 are up; broker 2 is stopped.", and what went wrong with a broker, if anything did. */
function readySentence(brokers: LabBroker[], message: string | undefined): string {
  const parts = (["up", "stopping", "stopped", "starting"] as const)
    .map((state) => ({ state, ids: brokers.filter((broker) => broker.state === state).map((broker) => broker.id) }))
    .filter(({ ids }) => ids.length > 0)
    .map(({ state, ids }) => `${brokerNames(ids)} ${ids.length === 1 ? "is" : "are"} ${state}`);
  const ready = parts.length > 0 ? `Your lab is ready: ${parts.join("; ")}.` : "Your lab is ready.";
  return message ? `${ready} ${sentence(message)}` : ready;
}

/** What the status line says of the lab: one sentence, which changes only when the lab's state does. */
export function labSentence(lab: LabState): string {
  if (!lab.offered) return sentence(lab.message ?? "This server does not offer labs");
  switch (lab.phase) {
    case "off":
      return "Your lab is not running. Start it to run this exercise.";
    case "queued":
      return lab.place ? `Waiting for a lab: you are number ${lab.place} in line.` : "Waiting for a lab.";
    case "starting":
      return "Starting your lab…";
    case "failed":
      return `Your lab could not start: ${sentence(lab.message ?? "the server did not say why")} Try again.`;
    case "ready":
      return readySentence(lab.brokers, lab.message);
  }
}

/** The line under the status: how a start goes, or why the learner waits. Empty when there is nothing to add. */
export function progressLine(lab: LabState): string {
  if (lab.phase === "queued") {
    const { labs, running, waiting } = lab.capacity;
    return `This server runs ${labs} lab${labs === 1 ? "" : "s"} at once; ${running} running, ${waiting} waiting. Yours starts when one stops.`;
  }
  if (lab.phase === "starting") {
    // The server names the step it is on ("starting three brokers and a controller"): a line of its own here.
    const step = (lab.progress ?? "starting three brokers").trim();
    const line = step.charAt(0).toUpperCase() + step.slice(1);
    return /[.!?…]$/.test(line) ? line : `${line}…`;
  }
  return "";
}

/** "Your lab is stopped after 20 minutes unused, to free the machine for others." */
export function idleLine(idleStopSeconds: number): string {
  const minutes = Math.round(idleStopSeconds / 60);
  const time = idleStopSeconds < 90 ? `${idleStopSeconds} seconds` : `${minutes} minutes`;
  return `Your lab is stopped after ${time} unused, to free the machine for others.`;
}
