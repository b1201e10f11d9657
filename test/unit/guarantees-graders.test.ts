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
import gradePrices, { tableOf, UPDATES, WITHDRAWN } from "../../content/guarantees/compaction/exercises/latest-prices/grader.ts";

/** A one-partition topic of these values, offsets from 0. */
function topicOf(name: string, values: unknown[]): GradedTopic {
  return keyedTopicOf(
    name,
    values.map((value) => [null, JSON.stringify(value)]),
  );
}

/** A one-partition topic of these [key, value] records, offsets from 0. */
function keyedTopicOf(name: string, rows: [string | null, string | null][]): GradedTopic {
  const records = rows.map(([key, value], offset) => ({ partition: 0, offset, timestamp: 0, key, value, headers: {} }));
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
    expect(first?.message).toContain("Entry 7 was written twice as well.");
  });

  it("says the copies too when a retried batch both overtook and repeated entries, as a plain Python producer leaves them", () => {
    const retried = [...inOrder.slice(1), 1, ...inOrder];
    const first = failures(gradeLedger(ledger(retried, undefined, "python")))[0];
    expect(first?.message).toContain("Entry 1 came after entry 20");
    expect(first?.message).toContain(`Entry ${LOST_ANSWER} was written twice as well, and 19 more entries with it.`);
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

describe("the latest-prices grader", () => {
  /** The topic holding these [key, value] records. */
  const prices = (rows: [string | null, string | null][], language: GradedRun["language"] = "typescript"): GraderInput => ({
    topics: { "product-prices": keyedTopicOf("product-prices", rows) },
    groups: {},
    run: runIn(language),
  });
  const asSent = UPDATES.map(([product, price]): [string | null, string | null] => [product, price]);

  it("passes every update keyed by its product, with p-3 deleted by a tombstone", () => {
    expect(failures(gradePrices(prices(asSent)))).toEqual([]);
    expect([...tableOf(keyedTopicOf("product-prices", asSent).records)]).toEqual([
      ["p-1", "12.00"],
      ["p-2", "5.00"],
      ["p-4", "4.00"],
    ]);
  });

  it("fails a withdrawal sent as a value, naming the value and how to send a tombstone in the run's language", () => {
    const asText = asSent.map(([product, price]): [string | null, string | null] => [product, price ?? "withdrawn"]);
    const said = messages(gradePrices(prices(asText)));
    expect(said).toContain(`${WITHDRAWN} was withdrawn, but its last record (offset 6) has the value \`withdrawn\`, so it is not a tombstone`);
    expect(said).toContain("value: null");
    const empty = asSent.map(([product, price]): [string | null, string | null] => [product, price ?? ""]);
    const python = messages(gradePrices(prices(empty, "python")));
    expect(python).toContain('`""` (empty, but not null)');
    expect(python).toContain("value=None");
  });

  it("fails an empty topic, saying Kafka refuses a record without a key on a compacted topic", () => {
    expect(messages(gradePrices(prices([])))).toContain("Kafka refuses a record without a key on a compacted topic");
  });

  it("fails records sent without a key, naming one", () => {
    const unkeyed = asSent.map(([product, price]): [string | null, string | null] => [null, `${product} ${price}`]);
    expect(messages(gradePrices(prices(unkeyed)))).toContain("The record at offset 0, `p-1 10.00`, was sent without a key");
  });

  it("fails a table whose latest price is wrong, and updates missing or sent twice", () => {
    const missing = asSent.filter((_, i) => i !== 7);
    expect(messages(gradePrices(prices(missing)))).toContain("p-4 costs `3.50`; its latest price is `4.00`");
    const twice: [string | null, string | null][] = [...asSent.slice(0, 1), ...asSent];
    expect(messages(gradePrices(prices(twice)))).toContain("p-1's records are 10.00, 10.00, 12.00; its updates were 10.00, 12.00");
  });
});
