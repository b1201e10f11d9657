// What the live view of a learner's own Kafka shows: their topics (partitions, replicas, offsets), the
// last records to arrive and their consumer groups (members, commits, lag), as one reading of the broker.
// Names are as the lessons say them, without the learner's namespace.
import { z } from "@hono/zod-openapi";

/** A cluster the live view can watch, named by the server ("course": the course's own brokers). */
export const LIVE_CLUSTER_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export const LiveQuery = z.object({
  cluster: z
    .string()
    .regex(LIVE_CLUSTER_PATTERN, "A cluster is named with lowercase letters, digits and '-', such as course.")
    .default("course")
    .openapi({ param: { name: "cluster", in: "query" }, example: "course", description: "Which cluster to watch; the server resolves it" }),
});

export const LiveBrokerSchema = z.object({
  id: z.number().int(),
  /** Whether the cluster lists this broker as serving now; a broker still named by replicas may be down. */
  up: z.boolean(),
});

export const LivePartitionSchema = z.object({
  partition: z.number().int(),
  /** The broker leading the partition; -1 when none does. */
  leader: z.number().int(),
  leaderEpoch: z.number().int(),
  replicas: z.array(z.number().int()),
  /** In-sync replicas. */
  isr: z.array(z.number().int()),
  /** Eligible leader replicas (KIP-966): out of sync, yet safe to lead. */
  elr: z.array(z.number().int()),
  /** Replicas whose broker does not serve them now. */
  offline: z.array(z.number().int()),
  /** First offset still held. */
  logStart: z.number().int(),
  /** The high watermark: the offset the next record gets, as consumers see the end. */
  logEnd: z.number().int(),
  /** Offsets held: log end less log start. */
  records: z.number().int(),
  underReplicated: z.boolean(),
  /** Fewer replicas in sync than the topic's effective min.insync.replicas: acks=all writes are refused. */
  underMinIsr: z.boolean(),
});

export const LiveTopicSchema = z.object({
  name: z.string(),
  topicId: z.string(),
  minInsyncReplicas: z.object({
    /** The topic's min.insync.replicas (its own or the broker's default); null until read. */
    setting: z.number().int().nullable(),
    /** What writes really need: the setting, but never more than the replicas there are. */
    effective: z.number().int(),
  }),
  partitions: z.array(LivePartitionSchema),
});

export const LiveRecordSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  offset: z.number().int(),
  timestamp: z.number(),
  key: z.string().nullable(),
  /** The value, cut short past a few dozen characters. */
  value: z.string().nullable(),
  cut: z.boolean(),
});

export const LiveMemberSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  host: z.string(),
  assigned: z.array(z.object({ topic: z.string(), partitions: z.array(z.number().int()) })),
});

export const LiveGroupOffsetSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  /** The next offset the group reads; null when it committed none here. */
  committed: z.number().int().nullable(),
  logEnd: z.number().int(),
  /** Records written and not yet committed; null without a commit. */
  lag: z.number().int().nullable(),
});

export const LiveGroupSchema = z.object({
  name: z.string(),
  /** Kafka's state of the group: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  state: z.string(),
  members: z.array(LiveMemberSchema),
  offsets: z.array(LiveGroupOffsetSchema),
  totalLag: z.number().int(),
  /** How old the oldest unread record is, in ms at the reading's time; null without a commit. */
  timeLagMs: z.number().nullable(),
  /** Total lag over the last minutes, oldest first. */
  lagHistory: z.array(z.object({ at: z.number(), lag: z.number().int() })),
});

export const LiveViewSchema = z
  .object({
    cluster: z.string(),
    /** When the broker was read (ms since the epoch, the server's clock). */
    at: z.number(),
    brokers: z.array(LiveBrokerSchema),
    topics: z.array(LiveTopicSchema),
    /** The last records to arrive, newest first. */
    records: z.array(LiveRecordSchema),
    groups: z.array(LiveGroupSchema),
  })
  .openapi("LiveView");

export const LiveProblemSchema = z
  .object({ message: z.string().openapi({ example: "Kafka does not answer; the view shows what it last saw." }) })
  .openapi("LiveProblem");

/** One server-sent event of the live view: `view` carries a LiveView, `problem` a LiveProblem, as JSON. */
export const LiveServerSentEventSchema = z
  .object({
    event: z.enum(["view", "problem"]),
    data: z.string().openapi({ description: "A LiveView (event: view) or a LiveProblem (event: problem), as JSON" }),
  })
  .openapi("LiveServerSentEvent");

export type LiveView = z.infer<typeof LiveViewSchema>;
export type LiveTopic = z.infer<typeof LiveTopicSchema>;
export type LivePartition = z.infer<typeof LivePartitionSchema>;
export type LiveRecord = z.infer<typeof LiveRecordSchema>;
export type LiveGroup = z.infer<typeof LiveGroupSchema>;
export type LiveMember = z.infer<typeof LiveMemberSchema>;
export type LiveProblem = z.infer<typeof LiveProblemSchema>;
