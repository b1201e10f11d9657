// Puts the test broker back to a known state: no course topics, no course consumer groups.
import { Connection, FindCoordinatorKeyTypes, findCoordinatorV6 } from "@platformatic/kafka";
import { Kafka } from "kafkajs";
import { connectTo, saslOptions } from "../../sandbox-server/src/kafka/access.ts";
import type { BrokerAccess } from "../../sandbox-server/src/kafka/index.ts";
import { responseDespiteErrors } from "../../sandbox-server/src/kafka/protocol-errors.ts";
import { kafkajsConfig } from "./kafkajs-config.ts";

/** Deletes the named topics and groups, and waits until the broker no longer lists the topics. */
export async function forgetTopicsAndGroups(access: BrokerAccess, topics: string[], groups: string[]): Promise<void> {
  const admin = new Kafka(kafkajsConfig(access, "tributary-test-reset")).admin();
  await admin.connect();
  try {
    const existingGroups = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const doomedGroups = groups.filter((g) => existingGroups.has(g));
    // A group still holding a member (a consumer killed without leaving) cannot be deleted until
    // the member's session expires; kafkajs's default session is 30 s.
    const groupDeadline = Date.now() + 45_000;
    while (doomedGroups.length) {
      try {
        await admin.deleteGroups(doomedGroups);
        break;
      } catch (error) {
        const codes = ((error as { groups?: { error?: { type?: string } }[] }).groups ?? []).map((g) => g.error?.type);
        if (!codes.includes("NON_EMPTY_GROUP") || Date.now() > groupDeadline) throw error;
        console.log(`[broker state] waiting for consumer group(s) ${doomedGroups.join(", ")} to empty before deleting them`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    const existingTopics = new Set(await admin.listTopics());
    const doomedTopics = topics.filter((t) => existingTopics.has(t));
    if (doomedTopics.length) await admin.deleteTopics({ topics: doomedTopics, timeout: 10000 });
    const deadline = Date.now() + 15000;
    while ((await admin.listTopics()).some((t) => doomedTopics.includes(t))) {
      if (Date.now() > deadline) throw new Error(`Topics ${doomedTopics.join(", ")} were not deleted within 15 s.`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Fetches every record of a topic with a client that is not the project's: what another tool would see. */
export async function readWholeTopic(access: BrokerAccess, topic: string): Promise<{ key: string; value: string }[]> {
  const kafka = new Kafka(kafkajsConfig(access, "tributary-test-reader"));
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const consumer = kafka.consumer({ groupId: `tributary-test-reader-${Date.now()}` });
  const records: { key: string; value: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Read ${records.length} of ${expected} records of ${topic} in 20 s.`)), 20000);
    if (expected === 0) return (clearTimeout(timer), resolve());
    void consumer.run({
      eachMessage: async ({ message }) => {
        records.push({ key: message.key?.toString() ?? "", value: message.value?.toString() ?? "" });
        if (records.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return records;
}

/** The partitions of every topic whose name starts with `prefix`, as the super user sees them. */
export async function partitionsByTopic(access: BrokerAccess, prefix: string): Promise<Map<string, number>> {
  const admin = new Kafka(kafkajsConfig(access, "tributary-test-count")).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
    if (names.length === 0) return new Map();
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    return new Map(topics.map((t) => [t.name, t.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

/** The id of the broker that coordinates `groupId` now (whether or not the group exists yet). */
export async function groupCoordinator(access: BrokerAccess, groupId: string): Promise<number> {
  const connection = new Connection("tributary-test-coordinator", saslOptions(access.admin));
  try {
    await connectTo(connection, access.bootstrap[0]!);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { coordinators } = await responseDespiteErrors(findCoordinatorV6.api.async(connection, FindCoordinatorKeyTypes.GROUP, [groupId]));
      const found = coordinators.find((coordinator) => coordinator.key === groupId);
      if (found?.errorCode === 0) return found.nodeId;
      if (Date.now() > deadline) throw new Error(`No broker coordinates group ${groupId} after 15 s (error ${found?.errorCode}).`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await connection.close().catch(() => {});
  }
}
