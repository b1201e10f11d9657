// The graders of "What Kafka guarantees", on records built here: each rule passing, and failing with the words its
// verdict promises.
import { describe, expect, it } from "vitest";
import type { GradedRun, GradedTopic, GraderCheck, GraderInput } from "../../sandbox-server/src/contract/grader.ts";
import gradeLedger, {
  amountOf,
  ENTRY_COUNT,
  LOST_ANSWER,
  LOST_REQUEST,
  type NetworkLog,
} from "../../content/guarantees/producer-guarantees/exercises/idempotent-ledger/grader.ts";

/** A one-partition topic of these values, offsets from 0. */
function topicOf(name: string, values: unknown[]): GradedTopic {
  const records = values.map((value, offset) => ({ partition: 0, offset, timestamp: 0, key: null, value: JSON.stringify(value), headers: {} }));
  return { name, partitions: 1, records, truncated: false, runStart: {} };
}

const runIn = (language: GradedRun["language"]): GradedRun => ({ id: "r1", language, startedAt: "2026-01-01T00:00:00Z", freshSlate: true });
const failures = (checks: GraderCheck[]) => checks.filter((c) => c.status === "fail");
const messages = (checks: GraderCheck[]) =>
  failures(checks)
    .map((c) => c.message)
    .join("\n");

describe("the idempotent-ledger grader", () => {
  const inOrder = Array.from({ length: ENTRY_COUNT }, (_, i) => i + 1);
  const bothLost: NetworkLog = { lostRequest: LOST_REQUEST, lostRequestAcks: -1, lostAnswer: LOST_ANSWER, unanswered: null };
  /** The ledger holding these entries (in this order), and the network's log of the run (null: no log). */
  const ledger = (entries: number[], network: NetworkLog | null = bothLost, language: GradedRun["language"] = "typescript"): GraderInput => ({
    topics: {
      "bank-ledger": topicOf(
        "bank-ledger",
        entries.map((entry) => ({ entry, account: "acct-42", amount: amountOf(entry) })),
      ),
      "network-log": topicOf("network-log", network ? [network] : []),
    },
    groups: {},
    run: runIn(language),
  });

  it("passes every entry once and in order, through a lost request and a lost answer", () => {
    expect(failures(gradeLedger(ledger(inOrder)))).toEqual([]);
  });

  it("fails an entry written twice after its answer was lost, naming the entry, its offsets and the idempotent producer", () => {
    const twice = [...inOrder.slice(0, LOST_ANSWER), LOST_ANSWER, ...inOrder.slice(LOST_ANSWER)];
    const said = messages(gradeLedger(ledger(twice)));
    expect(said).toContain(`Entry ${LOST_ANSWER} was written twice (offsets 6 and 7)`);
    expect(said).toContain("idempotent: true");
    expect(said).toContain("balance is 340 EUR; its entries add up to 300 EUR");
    expect(messages(gradeLedger(ledger(twice, bothLost, "python")))).toContain("enable_idempotence=True");
  });

  it("fails a lost request that was never sent again, saying retries were off and not blaming acks", () => {
    const withoutFour = inOrder.filter((n) => n !== LOST_REQUEST);
    const said = messages(gradeLedger(ledger(withoutFour)));
    expect(said).toContain(`Entry ${LOST_REQUEST} is missing`);
    expect(said).toContain("did not send it again");
    expect(said).toContain("retries: 0");
    expect(said).not.toContain("acks");
  });

  it("fails a producer whose lost request asked for no answer, naming acks 0, in the language of the run", () => {
    const noAnswer: NetworkLog = { lostRequest: LOST_REQUEST, lostRequestAcks: 0, lostAnswer: null, unanswered: null };
    const none = messages(gradeLedger(ledger([1, 2, 3], noAnswer, "python")));
    expect(none).toContain("Entries 4 to 20 (17 entries) are missing");
    expect(none).toContain("`acks=0` asks Kafka for no answer");
    expect(none).not.toContain("retries=0");
  });

  it("fails a producer that sent entry 7 unanswered, naming acks 0", () => {
    const unanswered: NetworkLog = { lostRequest: LOST_REQUEST, lostRequestAcks: 0, lostAnswer: null, unanswered: LOST_ANSWER };
    const withoutFour = inOrder.filter((n) => n !== LOST_REQUEST);
    expect(messages(gradeLedger(ledger(withoutFour, unanswered)))).toContain("`acks: 0`");
    const python = messages(gradeLedger(ledger(withoutFour, unanswered, "python")));
    expect(python).toContain("`acks=0`");
    expect(python).toContain(`Kafka never answered the request carrying entry ${LOST_ANSWER}`);
  });

  it("fails an entry first written after a later one, naming both", () => {
    const overtaken = [1, 2, 3, 5, 6, 4, ...inOrder.slice(6)];
    const said = messages(gradeLedger(ledger(overtaken)));
    expect(said).toContain("Entry 4 came after entry 6");
    expect(failures(gradeLedger(ledger(overtaken)))).toHaveLength(1);
  });

  it("names an order broken before the copies that came with it, as sends all at once from a plain producer leave them", () => {
    const scrambled = [1, 2, 7, 14, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20];
    const first = failures(gradeLedger(ledger(scrambled)))[0];
    expect(first?.message).toContain("Entry 3 came after entry 14");
    expect(first?.message).toContain("`await` each `producer.send`");
  });

  it("fails entries acknowledged but never written when sends overtake a retry, saying to await each send", () => {
    const dropped = inOrder.filter((n) => n < 5 || n > 7);
    const said = messages(gradeLedger(ledger(dropped)));
    expect(said).toContain("Entries 5 to 7 (3 entries) are missing");
    expect(said).toContain("Kafka acknowledged them without writing them");
    expect(said).toContain("`await` each `producer.send`");
  });

  it("fails a run whose network log is missing, asking to keep the part done for you", () => {
    const said = messages(gradeLedger(ledger(inOrder, null)));
    expect(said).toContain("`network-log` holds no log of your latest run");
  });

  it("fails a run in which no answer was lost, so a retry after a lost answer was never tried", () => {
    const said = messages(gradeLedger(ledger(inOrder, { lostRequest: LOST_REQUEST, lostRequestAcks: -1, lostAnswer: null, unanswered: null })));
    expect(said).toContain(`entry ${LOST_ANSWER} never reached Kafka`);
  });

  it("fails an empty ledger, asking for the twenty entries", () => {
    const said = messages(gradeLedger(ledger([], null)));
    expect(said).toContain("`bank-ledger` holds no entry from your latest run");
  });
});
