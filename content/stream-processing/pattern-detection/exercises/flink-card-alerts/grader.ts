// Passes when `pattern-alerts` holds exactly one alert for every approved payment over 500.00 that comes right
// after three or more declined payments of the same card, and nothing for the near misses: two declines, a
// small payment, an approved payment between the declines, a large payment declined too, declines of other
// cards. The matches are computed from the judged run's `pattern-payments`, each card's payments in time order;
// both topics are made anew before every run.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";
import { clock, eventTime, judgedRecords, money, notStartedYet, parseRow, repeatedInput, sameDecimal } from "../../../flink-rows.ts";

const PAYMENTS = "pattern-payments";
const ALERTS = "pattern-alerts";
/** A payment larger than this is large. */
export const LARGE = 500;
/** Declined payments in a row before the large one. */
export const DECLINES = 3;
const PATTERN_SQL = "PATTERN (DECLINED{3} BIG)";

interface Payment {
  card: string;
  status: string;
  amount: number;
  at: number;
}

interface Alert {
  card: unknown;
  amount: unknown;
  at: number | undefined;
  text: string;
}

const described = (payment: Payment) => `${payment.card}'s ${payment.status} payment of ${money(payment.amount)} at ${clock(payment.at)}`;

/** The payments in time order (the order they reached Kafka, for equal times). */
function readPayments(records: GradedRecord[]): Payment[] {
  const payments = records.flatMap((record) => {
    const row = parseRow(record.value);
    const at = eventTime(row?.paid_at);
    if (typeof row?.card !== "string" || typeof row.status !== "string" || typeof row.amount !== "number" || at === undefined) return [];
    return [{ card: row.card, status: row.status, amount: row.amount, at }];
  });
  return payments.toSorted((a, b) => a.at - b.at);
}

function readAlerts(records: GradedRecord[]): Alert[] | string {
  const alerts: Alert[] = [];
  for (const record of records) {
    const row = parseRow(record.value);
    if (!row || !("card" in row) || !("amount" in row) || !("paid_at" in row)) {
      return `\`${ALERTS}\` holds ${record.value}, which is not an alert: each row has card, amount and paid_at, as the table alerts declares them.`;
    }
    alerts.push({ card: row.card, amount: row.amount, at: eventTime(row.paid_at), text: record.value! });
  }
  return alerts;
}

/** Declined payments right before `index` in `payments`, counted back to the first one that was not declined. */
function declinesBefore(payments: Payment[], index: number): number {
  let count = 0;
  while (index - count - 1 >= 0 && payments[index - count - 1]!.status === "declined") count++;
  return count;
}

/** The payments that raise an alert: approved, over 500.00, right after three declines of the same card. */
export function alerting(payments: Payment[]): Payment[] {
  return payments.filter((payment) => {
    if (payment.status !== "approved" || payment.amount <= LARGE) return false;
    const own = payments.filter((other) => other.card === payment.card);
    return declinesBefore(own, own.indexOf(payment)) >= DECLINES;
  });
}

/** Why `payment` raises no alert: the near miss it is. */
function nearMiss(payment: Payment, payments: Payment[]): string {
  const alert = `\`${ALERTS}\` has an alert for ${described(payment)}`;
  if (payment.status !== "approved") return `${alert}, but that payment was itself declined: only an approved large payment raises one. BIG AS BIG.status = 'approved' AND BIG.amount > 500.`;
  if (payment.amount <= LARGE) return `${alert}, but ${money(payment.amount)} is not large: an alert needs an approved payment over 500.00 (BIG.amount > 500).`;
  const own = payments.filter((other) => other.card === payment.card);
  const before = own.slice(0, own.indexOf(payment));
  const inRow = declinesBefore(own, before.length);
  if (declinesBefore(payments, payments.indexOf(payment)) >= DECLINES) {
    const others = [...new Set(payments.slice(0, payments.indexOf(payment)).slice(-DECLINES).map((other) => other.card))].filter((card) => card !== payment.card);
    return (
      `${alert}, but only ${inRow} of the declined payments right before it ${inRow === 1 ? "was" : "were"} ${payment.card}'s; the others were ${others.join(" and ")}'s. ` +
      "Look for the pattern in each card's own payments: PARTITION BY card."
    );
  }
  const declined = before.filter((other) => other.status === "declined").length;
  if (declined >= DECLINES) {
    const between = before.findLast((other) => other.status !== "declined")!;
    return (
      `${alert}, but ${described(between)} came between its declines: the ${DECLINES} declines must come in a row, right before the large payment. ` +
      "Match every payment of the card: a WHERE that leaves payments out before MATCH_RECOGNIZE makes declines look consecutive."
    );
  }
  return `${alert}, but only ${inRow} declined payment${inRow === 1 ? "" : "s"} in a row came before it: an alert needs ${DECLINES}, ${PATTERN_SQL}.`;
}

/** What is wrong with one alert, judged against the payments; undefined when it is an expected one. */
function alertMistake(alert: Alert, payments: Payment[], expected: Payment[]): string | undefined {
  const payment = payments.find((p) => p.card === alert.card && p.at === alert.at);
  if (!payment) return `\`${ALERTS}\` holds ${alert.text}, but ${String(alert.card)} made no payment at that time: each alert is the large payment of its match.`;
  if (typeof alert.amount !== "number" || !sameDecimal(alert.amount, payment.amount)) return `The alert ${alert.text} does not match ${described(payment)}.`;
  if (expected.includes(payment)) return undefined;
  return nearMiss(payment, payments);
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`${ALERTS}\` has one alert for each large payment that came right after three declined payments of its card, and nothing more`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const records = judgedRecords(input, PAYMENTS);
  const payments = readPayments(records);
  if (payments.length === 0) return fail(`\`${PAYMENTS}\` holds nothing yet: run the whole script, INSERT INTO payments VALUES included.`);
  const twice = repeatedInput(records, PAYMENTS);
  if (twice) return fail(twice);
  const alerts = readAlerts(judgedRecords(input, ALERTS));
  if (typeof alerts === "string") return fail(alerts);
  const expected = alerting(payments);
  const counted = alerts.length === expected.length ? "" : `\`${ALERTS}\` holds ${alerts.length} alerts; the payments call for ${expected.length}. `;
  for (const alert of alerts) {
    const mistake = alertMistake(alert, payments, expected);
    if (mistake) return fail(counted + mistake);
  }
  const seen = new Set<string>();
  const repeated = alerts.find((alert) => seen.size === seen.add(`${alert.card}@${alert.at}`).size);
  if (repeated) return fail(`\`${ALERTS}\` holds the alert ${repeated.text} more than once: one alert per match. Does your script run INSERT INTO alerts more than once?`);
  const missing = expected.find((payment) => !alerts.some((alert) => alert.card === payment.card && alert.at === payment.at));
  if (missing) {
    const own = payments.filter((other) => other.card === missing.card);
    return fail(
      `${counted}${missing.card} was declined ${declinesBefore(own, own.indexOf(missing))} times in a row, then made an approved payment of ${money(missing.amount)} at ${clock(missing.at)}, ` +
        `yet \`${ALERTS}\` has no alert for it: ${PATTERN_SQL}, DECLINED AS DECLINED.status = 'declined'. ` +
        "MATCH_RECOGNIZE matches a payment once the watermark has passed it; the last payment, at " +
        `${clock(payments.at(-1)!.at)}, moves the watermark past every other.` +
        (alerts.length === 0 ? ` ${notStartedYet}` : ""),
    );
  }
  const found = expected.map((payment) => `${payment.card}'s ${money(payment.amount)}`).join(", ");
  return [{ title, status: "pass", message: `Every match has its alert, once (${found}), and none of the near misses has one.` }];
}
