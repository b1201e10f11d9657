// The topic-min-insync-replicas check: a topic takes writes with one broker down when min.insync.replicas is at most
// its replicas less one, and on a single broker 1 is right.
import { describe, expect, it } from "vitest";
import { gradeCheck, snapshotRequest } from "../../sandbox-server/src/grading/index.ts";
import type { BrokerSnapshot } from "../../sandbox-server/src/kafka/index.ts";
import { checkpointSpecSchema } from "../../sandbox-server/src/exercises/index.ts";

const check = { type: "topic-min-insync-replicas", topic: "ledger" } as const;

/** The ledger with `replicas` copies of its one partition and this min.insync.replicas, on as many brokers. */
function ledger(replicas: number, minInsyncReplicas?: string): BrokerSnapshot {
  const config: Record<string, string> = minInsyncReplicas === undefined ? {} : { "min.insync.replicas": minInsyncReplicas };
  return {
    brokerCount: replicas,
    topics: new Map([
      [
        "ledger",
        {
          name: "ledger",
          topicId: "id-ledger",
          partitions: [
            {
              partition: 0,
              low: 0,
              high: 0,
              replicas,
              inSync: replicas,
              leader: 1,
              replicaIds: [1, 2, 3].slice(0, replicas),
              isrIds: [1, 2, 3].slice(0, replicas),
            },
          ],
          config,
        },
      ],
    ]),
    groups: new Map(),
  };
}

describe("the topic-min-insync-replicas check", () => {
  it("asks the snapshot for the topic's min.insync.replicas", () => {
    const spec = checkpointSpecSchema.parse({ title: "t", checks: [check] });
    expect(snapshotRequest(spec).configs).toEqual([{ topic: "ledger", config: "min.insync.replicas" }]);
  });

  it("passes 2 of 3 replicas and 1 of 3, and 1 on a single broker", () => {
    expect(gradeCheck(check, ledger(3, "2"))).toMatchObject({ status: "pass", message: expect.stringContaining("succeeds with 1 broker down") });
    expect(gradeCheck(check, ledger(3, "1")).status).toBe("pass");
    expect(gradeCheck(check, ledger(1, "1"))).toMatchObject({
      status: "pass",
      message: expect.stringContaining("the only setting that takes writes"),
    });
  });

  it("fails every copy in sync with three replicas, saying a broker down stops the writes", () => {
    const outcome = gradeCheck(check, ledger(3, "3"));
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("min.insync.replicas=3 with 3 replicas per partition: with one broker down only 2 copies are in sync");
    expect(outcome.message).toContain("Set it to at most 2 (the replicas less one)");
  });

  it("fails more in-sync copies than copies on one broker, in the words of the run's language", () => {
    const typescript = gradeCheck(check, ledger(1, "3"));
    expect(typescript.message).toContain("more in-sync copies than there are copies, so every write with acks -1 is refused. Set it to at most 1.");
    const python = gradeCheck(check, ledger(1, "3"), { language: "python", runStart: new Map() });
    expect(python.message).toContain('every write with acks="all" is refused');
  });

  it("says the topic is missing when there is none", () => {
    const empty: BrokerSnapshot = { brokerCount: 1, topics: new Map(), groups: new Map() };
    expect(gradeCheck(check, empty).message).toContain("There is no topic `ledger`");
  });
});
