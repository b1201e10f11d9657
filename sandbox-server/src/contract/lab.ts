// The fault lab: a small Kafka cluster of three brokers that belongs to one learner, started on demand,
// whose brokers the learner stops and starts from the page. What the page is told about it, and what it
// may ask. The class's own brokers are never stopped from here.
import { z } from "@hono/zod-openapi";

/** Where one learner's lab is: none yet, waiting for a free place, starting, ready, or failed to start. */
export const LabPhaseSchema = z.enum(["off", "queued", "starting", "ready", "failed"]);
export type LabPhase = z.infer<typeof LabPhaseSchema>;

export const LabBrokerSchema = z.object({
  id: z.number().int().openapi({ example: 1 }),
  /** The address the learner's programs (and Kafka's own tools) reach it at. */
  address: z.string().openapi({ example: "127.0.0.1:19500" }),
  /** `stopping` and `starting` while a change asked for from the page is under way. */
  state: z.enum(["up", "stopping", "stopped", "starting"]),
});
export type LabBroker = z.infer<typeof LabBrokerSchema>;

/** A stop or start of one of the lab's brokers, asked for from the page (the grader reads the same list). */
export const LabChangeSchema = z.object({
  /** When it was asked for, in epoch milliseconds. */
  at: z.number().int(),
  broker: z.number().int(),
  change: z.enum(["stopped", "started"]),
  /** For a stop: the learner's partitions the broker led just before ("payments-0"). */
  led: z.array(z.string()),
});

export const LabStateSchema = z
  .object({
    /** Whether this server offers labs at all (TRIBUTARY_LABS=0 turns them off). */
    offered: z.boolean(),
    phase: LabPhaseSchema,
    /** While queued: 1 when the next lab to start is this learner's. */
    place: z.number().int().optional(),
    /** While starting: the last step taken, in words. */
    progress: z.string().optional(),
    /** Why the lab failed to start, or why it is not offered, in words. */
    message: z.string().optional(),
    /** The lab's brokers once it is ready (or while it starts, as far as they are known). */
    brokers: z.array(LabBrokerSchema),
    /** Every stop and start since the lab started, oldest first. */
    changes: z.array(LabChangeSchema),
    /** Seconds after which an unused lab is stopped to free the machine. */
    idleStopSeconds: z.number().int().optional(),
    /** How many labs this server runs at once, and how many run now. */
    capacity: z.object({ labs: z.number().int(), running: z.number().int(), waiting: z.number().int() }),
  })
  .openapi("LabState");
export type LabState = z.infer<typeof LabStateSchema>;

export const LabBrokerParams = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(3)
    .openapi({ param: { name: "id", in: "path" }, example: 2, description: "The broker's node id, 1 to 3" }),
});

export const LabBrokerChangeSchema = z
  .object({ action: z.enum(["stop", "start"]).openapi({ description: "Stop the broker (as a crash would), or start it again" }) })
  .openapi("LabBrokerChange");
