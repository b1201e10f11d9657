// Group `message-readers` must have read `messages` to its end (every message, whichever program wrote
// it) and committed how far it got. When it has not, Kafka's view of the group (a consumer in it now,
// one that left, or none ever) tells which step is missing, in the words of the run's language.
import type { GradedGroup, GraderCheck, GraderInput } from "#contract/grader";

const TITLE = "Consumer group `message-readers` has read `messages` to the end";

type Words = { typescript: string; python: string };

/** Why the group has committed nothing, from whether a consumer is in it, left it, or never joined. */
function noCommitReason(group: GradedGroup | undefined): Words {
  if (!group || group.state === "Dead") {
    return {
      typescript:
        'No consumer has joined group `message-readers`: does your consumer use groupId group("message-readers"), subscribe to MESSAGES and call consumer.run?',
      python:
        'No consumer has joined group `message-readers`: does your consumer use group_id=group("message-readers"), subscribe to MESSAGES and loop over its messages (for message in consumer)?',
    };
  }
  if ((group.members ?? 0) > 0) {
    return {
      typescript:
        "Your consumer is in group `message-readers` but has handled no message of `messages`. Did it subscribe to MESSAGES with fromBeginning: true? A new group otherwise starts at the end and waits for new messages only.",
      python:
        "Your consumer is in group `message-readers` but has committed nothing on `messages`. Did it subscribe to [MESSAGES]? With enable_auto_commit=False nothing is committed until your program calls consumer.commit(); with automatic commits it commits every second, so check again in a moment.",
    };
  }
  return {
    typescript:
      "A consumer joined group `message-readers` and left without handling any message of `messages`. Subscribe with fromBeginning: true, call consumer.run, and keep the consumer running (do not disconnect right after consumer.run) until it has printed the messages: kafkajs commits what eachMessage has handled.",
    python:
      "A consumer joined group `message-readers` and left without committing how far it read. Keep automatic commits on (or call consumer.commit() after the messages you handled), and leave with consumer.close(), which commits.",
  };
}

export default function grade(input: GraderInput): GraderCheck[] {
  const language = input.run?.language === "python" ? "python" : "typescript";
  const fail = (message: string): GraderCheck[] => [{ title: TITLE, status: "fail", message }];
  const topic = input.topics.messages;
  if (!topic) return fail("There is no topic `messages` yet. Run your consumer (it creates the topic), then the producer exercise.");
  if (topic.records.length === 0) {
    return fail(
      "`messages` holds no messages yet, so group `message-readers` has had nothing to read. Keep your consumer running and send messages with the producer exercise: they arrive in your terminal.",
    );
  }
  const group = input.groups["message-readers/messages"];
  const committed = group?.committed ?? {};
  if (Object.keys(committed).length === 0) {
    return fail(`Group \`message-readers\` has committed no offset on \`messages\`. ${noCommitReason(group)[language]}`);
  }
  // Where each partition ends: one past its last record.
  const ends = new Map<number, number>();
  for (const r of topic.records) ends.set(r.partition, Math.max(ends.get(r.partition) ?? 0, r.offset + 1));
  const past = [...ends].find(([partition, end]) => (committed[partition] ?? 0) > end && !topic.truncated);
  if (past) {
    const fix: Words = {
      typescript: 'Offsets are strings in kafkajs: `String(message.offset + 1)` joins text ("19" + 1 = "191"); use `String(Number(message.offset) + 1)`.',
      python: "Commit the offset of the next message to read, `message.offset + 1`, no more.",
    };
    return fail(
      `Group \`message-readers\` committed offset ${committed[past[0]]} on partition ${past[0]} of \`messages\`, past its end (${past[1]}). ${fix[language]}`,
    );
  }
  const unread = topic.records.filter((r) => r.offset >= (committed[r.partition] ?? 0));
  if (unread.length === 0 || topic.truncated) {
    return [{ title: TITLE, status: "pass", message: `Group \`message-readers\` has read all ${topic.records.length} messages of \`messages\`.` }];
  }
  const next = unread[0]!;
  const running = input.run !== undefined && input.run.outcome === undefined;
  const why = running
    ? "Your consumer is still running: if it is reading, it commits as it goes, so check again in a moment. If it stays behind, it stopped reading before the end: keep reading until you press Stop, not a fixed number of messages."
    : "Its consumer stopped before the end of `messages`, or did not commit the last messages it read: keep reading until you press Stop, not a fixed number of messages, and let the consumer commit what it handled.";
  return fail(
    `Group \`message-readers\` is ${unread.length} ${unread.length === 1 ? "message" : "messages"} behind the end of \`messages\`: the next one it has not read is "${next.value}" (offset ${next.offset}). ${why}`,
  );
}
