// The header's small "Kafka: ready" badge, so a learner knows whether a Run can work at all.
import { fetchHealth } from "./sandbox-api.ts";

/** Fills `badge` with whether the sandbox server and Kafka answer. */
export async function showKafkaStatus(badge: Element | null): Promise<void> {
  if (!badge) return;
  try {
    const health = await fetchHealth();
    badge.textContent = health.kafka.reachable
      ? `Kafka ready (${health.kafka.brokers} broker${health.kafka.brokers === 1 ? "" : "s"})`
      : "Kafka does not answer: runs will fail until it is back";
    badge.setAttribute("data-state", health.kafka.reachable ? "ok" : "down");
  } catch {
    badge.textContent = "Sandbox server offline: start it with npm start";
    badge.setAttribute("data-state", "down");
  }
}
