// Judges the bookkeeping service through its crash. `book()` (done for you) wrote each booking with the offset
// Kafka had confirmed as group bookkeeping's committed offset when the booking began, so the order of booking
// and committing leaves a trace: a payment committed before its booking is lost in the crash (at most once), a
// commit missing or one behind books payments twice, and a commit still unconfirmed at the next booking was not
// awaited. Each run starts from a clean slate, so every record here is the judged run's.
import type { GraderCheck, GraderInput } from "#contract/grader";

/** The payment whose booking the done-for-you part crashes, once a run. */
export const CRASHES_AT = "payment-7";

export interface Booking {
  payment: string;
  offset: number;
  /** Group bookkeeping's committed offset on `payments` that Kafka had confirmed when the booking began. */
  committedWhenBooked: number | null;
  restarted: boolean;
}

/** What the program's commits did, read from the trace and the group's final offset. */
type CommitHabit = "beyond" | "before" | "none" | "one-behind" | "late" | "right";

const WORDS = {
  typescript: {
    none: "With autoCommit: false nothing is committed until your program calls consumer.commitOffsets after booking a payment.",
    next: "`Number(message.offset) + 1`",
    wait: "Await the commit (`await consumer.commitOffsets(…)`) before going on to the next payment",
    text: 'Offsets are strings in kafkajs: `message.offset + 1` joins text ("5" + 1 = "51"); commit `String(Number(message.offset) + 1)`.',
  },
  python: {
    none: "With enable_auto_commit=False nothing is committed until your program calls consumer.commit() after booking a payment.",
    next: "`message.offset + 1` (what consumer.commit() without arguments commits)",
    wait: "Commit with consumer.commit(), which waits for Kafka's answer, before going on to the next payment",
    text: "Commit the offset of the next payment to read, `message.offset + 1`, no more.",
  },
};

function parseBooking(text: string | null): Booking | undefined {
  try {
    const value = JSON.parse(text ?? "") as Partial<Booking>;
    if (typeof value.payment !== "string" || typeof value.offset !== "number") return undefined;
    return { payment: value.payment, offset: value.offset, committedWhenBooked: value.committedWhenBooked ?? null, restarted: value.restarted === true };
  } catch {
    return undefined;
  }
}

/** How the program committed, from the first booking that shows it (bookings in the order they were made). */
export function commitHabit(bookings: Booking[], groupCommitted: number | undefined, end: number): { habit: CommitHabit; example?: Booking } {
  const beyond = bookings.find((b) => (b.committedWhenBooked ?? 0) > b.offset + 1);
  if (beyond || (groupCommitted ?? 0) > end) return { habit: "beyond", example: beyond };
  const before = bookings.find((b) => b.committedWhenBooked === b.offset + 1);
  if (before) return { habit: "before", example: before };
  if (groupCommitted === undefined && bookings.every((b) => b.committedWhenBooked === null)) return { habit: "none" };
  const behind = bookings.find((b) => (b.committedWhenBooked ?? 0) < b.offset);
  if (!behind) return { habit: "right" };
  const last = bookings.at(-1)!;
  const oneBehind = bookings.every((b) => b.committedWhenBooked === null || b.offset - b.committedWhenBooked <= 1) && groupCommitted === last.offset;
  return { habit: oneBehind ? "one-behind" : "late", example: behind };
}

const nameOf = (offset: number, paymentAt: Map<number, string>) => paymentAt.get(offset) ?? `the payment at offset ${offset}`;

export default function grade(input: GraderInput): GraderCheck[] {
  const words = WORDS[input.run?.language === "python" ? "python" : "typescript"];
  const payments = input.topics.payments?.records ?? [];
  const bookings = (input.topics.bookings?.records ?? []).map((r) => parseBooking(r.value)).filter((b): b is Booking => b !== undefined);
  const groupCommitted = input.groups["bookkeeping/payments"]?.committed[0];
  const end = payments.length;
  const paymentAt = new Map(payments.map((r) => [r.offset, r.key ?? `offset ${r.offset}`]));
  const { habit, example } = commitHabit(bookings, groupCommitted, end);
  const crash = bookings.find((b) => b.restarted)?.committedWhenBooked;
  const checks: GraderCheck[] = [];

  const allBooked = "Every payment was booked";
  if (end === 0) return [{ title: allBooked, status: "fail", message: "`payments` holds no payments: run the program; its first part sends them." }];
  const lost = payments.find((p) => !bookings.some((b) => b.payment === p.key));
  if (bookings.length === 0) {
    checks.push({ title: allBooked, status: "fail", message: "Your latest run booked no payment: keep the `book(message)` call for each payment." });
  } else if (lost) {
    const name = lost.key ?? `offset ${lost.offset}`;
    const why =
      habit === "before"
        ? `Your program commits a payment before booking it (when \`${example!.payment}\`'s booking began, Kafka had already confirmed offset ${example!.committedWhenBooked}, the one after it), so when the service crashed while booking \`${CRASHES_AT}\`, Kafka counted it as done and the restarted service went on after it. That is at most once: a crash loses the payment. Book first, then commit.`
        : habit === "beyond"
          ? `Group \`bookkeeping\` committed offset ${Math.max(groupCommitted ?? 0, example?.committedWhenBooked ?? 0)} on \`payments\`, past the end of what was booked, so the restarted service skipped it. ${words.text}`
          : name === CRASHES_AT
            ? `Its offset was committed before its booking was done, so when the service crashed while booking it, the restarted service began after it, at offset ${crash ?? "?"}. That is at most once: a crash loses the payment. Book first, then commit, and wait for Kafka's answer before the next payment.`
            : `The restarted service began at offset ${crash ?? "?"}. Book every payment (\`book(message)\`), then commit it.`;
    checks.push({ title: allBooked, status: "fail", message: `\`${name}\` was never booked. ${why}` });
  } else {
    checks.push({ title: allBooked, status: "pass", message: `All ${end} payments were booked, through the crash.` });
  }

  const once = "No payment was booked twice";
  const twice = bookings.find((b, i) => bookings.findIndex((other) => other.payment === b.payment) !== i);
  if (twice) {
    const atCrash = `When the service crashed while booking \`${CRASHES_AT}\``;
    const why =
      habit === "none" || crash === null
        ? `${atCrash}, group \`bookkeeping\` had no committed offset, so the restarted service began again at the first payment. ${words.none}`
        : habit === "one-behind"
          ? `${atCrash}, Kafka had confirmed offset ${crash}: \`${nameOf(crash ?? 0, paymentAt)}\`'s own offset, so the restarted service read it again. A committed offset is the next one to read: commit ${words.next}.`
          : habit === "beyond"
            ? `Your commits went past the end of \`payments\`, so the restarted service began again at the first payment. ${words.text}`
            : `${atCrash}, Kafka had confirmed only offset ${crash}, so the restarted service booked the payments from there again. Commit each payment as soon as it is booked. ${words.wait}.`;
    checks.push({ title: once, status: "fail", message: `\`${twice.payment}\` was booked twice. ${why}` });
  } else {
    checks.push({ title: once, status: "pass", message: "Each payment was booked once." });
  }

  const inOrder = "Each payment was committed after its booking, and confirmed before the next";
  if (habit === "right" || !example) {
    checks.push({ title: inOrder, status: habit === "none" ? "fail" : "pass", message: habit === "none" ? words.none : "Every booking began with the payments before it committed, and not itself." });
  } else {
    const confirmed = example.committedWhenBooked === null ? "no committed offset yet" : `offset ${example.committedWhenBooked} as committed`;
    const at = `When \`${example.payment}\` (offset ${example.offset}) was booked, Kafka had confirmed ${confirmed}`;
    const previous = nameOf(example.offset - 1, paymentAt);
    const message = {
      beyond: `${at}, past every payment booked so far. ${words.text}`,
      before: `${at}, the offset after it: your program commits a payment before booking it. A crash during the booking loses the payment (at most once). Book first, then commit.`,
      "one-behind": `${at}: \`${previous}\`'s own offset, which tells Kafka to read ${previous} again. A committed offset is the next one to read: commit ${words.next}.`,
      late: `${at}: the commit of \`${previous}\` was not confirmed yet. ${words.wait}: a crash just then would book ${previous} twice.`,
    }[habit as "beyond" | "before" | "one-behind" | "late"];
    checks.push({ title: inOrder, status: "fail", message });
  }

  const caughtUp = "Group `bookkeeping` committed the end of `payments`";
  if (groupCommitted === undefined) checks.push({ title: caughtUp, status: "fail", message: `Group \`bookkeeping\` has committed no offset on \`payments\`. ${words.none}` });
  else if (groupCommitted > end)
    checks.push({ title: caughtUp, status: "fail", message: `Group \`bookkeeping\` committed offset ${groupCommitted} on \`payments\`, past the end (${end}). ${words.text}` });
  else if (groupCommitted < end) {
    const fix = habit === "one-behind" ? `A committed offset is the next one to read: commit ${words.next}.` : "Commit every payment once it is booked.";
    checks.push({ title: caughtUp, status: "fail", message: `Group \`bookkeeping\` is ${end - groupCommitted} payment(s) behind the end of \`payments\`. ${fix}` });
  } else checks.push({ title: caughtUp, status: "pass", message: `Group \`bookkeeping\` committed all ${end} payments.` });
  return checks;
}
