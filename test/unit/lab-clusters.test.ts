// The fault labs' places and line, as pure logic: labs start in the places there are, learners past them wait
// in line told their place, a freed place goes to the first in line, a failed start says why and can be tried
// again, a lab stopped while it starts is stopped once it has, and an unused lab is stopped unless a program of
// its learner runs there. The labs themselves are stand-ins here; test/integration/fault-lab.test.ts runs real ones.
import { describe, expect, it } from "vitest";
import { LabClusters, type LabCluster, type LabStarter } from "../../sandbox-server/src/lab/index.ts";

interface StandIn {
  slot: number;
  learner: string;
  closed: boolean;
}

/** A starter whose starts the test finishes (or fails) by hand, in any order. */
function handStarter() {
  const pending: { slot: number; learner: string; finish: () => void; fail: (message: string) => void }[] = [];
  const started: StandIn[] = [];
  const start: LabStarter = (slot, learner, onProgress) =>
    new Promise<LabCluster>((resolve, reject) => {
      onProgress(`formatting place ${slot}`);
      pending.push({
        slot,
        learner: learner.id,
        finish: () => {
          const lab: StandIn = { slot, learner: learner.id, closed: false };
          started.push(lab);
          resolve({
            brokers: () => [1, 2, 3].map((id) => ({ id, address: `127.0.0.1:${20000 + id}`, state: "up" as const })),
            changes: [],
            close: async () => void (lab.closed = true),
          } as unknown as LabCluster);
        },
        fail: (message) => reject(new Error(message)),
      });
    });
  return { start, pending, started };
}

/** Closing waits for starts under way: the test lets the ones it left pending finish, and every lab must then be closed. */
async function closeAll(labs: LabClusters, hand: ReturnType<typeof handStarter>): Promise<void> {
  const closing = labs.closeAll();
  for (const start of hand.pending.splice(0)) start.finish();
  await closing;
  expect(hand.started.filter((lab) => !lab.closed)).toEqual([]);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const learner = (id: string) => ({ id, namespace: `t-${id}.` });

describe("the labs' places and line", () => {
  it("starts labs in the places there are and puts the rest in line, each told their place", async () => {
    const hand = handStarter();
    const labs = new LabClusters({ labs: 1, portBase: 20000, idleMs: 0, dir: "unused" }, hand.start);
    expect(labs.open(learner("a"))).toMatchObject({ phase: "starting", progress: "formatting place 0", capacity: { labs: 1, running: 1 } });
    expect(labs.open(learner("b"))).toMatchObject({ phase: "queued", place: 1 });
    expect(labs.open(learner("c"))).toMatchObject({ phase: "queued", place: 2, capacity: { waiting: 2 } });
    // Asking again keeps one's place.
    expect(labs.open(learner("c"))).toMatchObject({ phase: "queued", place: 2 });

    hand.pending.shift()!.finish();
    await settle();
    expect(labs.state("a")).toMatchObject({ phase: "ready", brokers: [{ id: 1 }, { id: 2 }, { id: 3 }] });
    expect(labs.ready("a")).toBeDefined();
    expect(labs.ready("b")).toBeUndefined();
    expect(labs.notReadyReason("b")).toContain("number 1 in line");

    await labs.close("a");
    expect(hand.started[0]!.closed).toBe(true);
    expect(labs.state("b")).toMatchObject({ phase: "starting" });
    expect(hand.pending[0]).toMatchObject({ slot: 0, learner: "b" });
    expect(labs.state("c")).toMatchObject({ phase: "queued", place: 1 });
    await closeAll(labs, hand);
  });

  it("says why a lab failed to start, in one line, and starts it again when asked; the place goes on to the next", async () => {
    const hand = handStarter();
    const labs = new LabClusters({ labs: 1, portBase: 20000, idleMs: 0, dir: "unused" }, hand.start);
    labs.open(learner("a"));
    labs.open(learner("b"));
    hand.pending.shift()!.fail("Port 20000 on 127.0.0.1 is already in use.\n    at somewhere (file.ts:1:1)");
    await settle();
    expect(labs.state("a")).toMatchObject({ phase: "failed", message: "Port 20000 on 127.0.0.1 is already in use." });
    expect(labs.notReadyReason("a")).toContain("could not start");
    expect(labs.state("b")).toMatchObject({ phase: "starting" });
    expect(labs.open(learner("a"))).toMatchObject({ phase: "queued", place: 1 });
    await closeAll(labs, hand);
  });

  it("stops a lab its learner gave up on while it started, once it has, and frees its place", async () => {
    const hand = handStarter();
    const labs = new LabClusters({ labs: 1, portBase: 20000, idleMs: 0, dir: "unused" }, hand.start);
    labs.open(learner("a"));
    labs.open(learner("b"));
    await labs.close("a");
    expect(labs.state("a").phase).toBe("off");
    expect(labs.state("b")).toMatchObject({ phase: "queued", place: 1 });
    hand.pending.shift()!.finish();
    await settle();
    await settle();
    expect(hand.started[0]).toMatchObject({ learner: "a", closed: true });
    expect(labs.state("b")).toMatchObject({ phase: "starting" });
    await closeAll(labs, hand);
  });

  it("gives a learner one place at most: Start and Stop pressed over and over cannot take every place", async () => {
    const hand = handStarter();
    const labs = new LabClusters({ labs: 2, portBase: 20000, idleMs: 0, dir: "unused" }, hand.start);
    labs.open(learner("a"));
    await labs.close("a");
    // Asked again while the first lab still starts: in line, behind nobody, yet not given the free place.
    expect(labs.open(learner("a"))).toMatchObject({ phase: "queued", place: 1, capacity: { running: 1 } });
    expect(labs.open(learner("b"))).toMatchObject({ phase: "starting" });
    hand.pending.shift()!.finish();
    await settle();
    await settle();
    expect(hand.started[0]).toMatchObject({ learner: "a", closed: true });
    expect(labs.state("a")).toMatchObject({ phase: "starting" });
    expect(hand.pending.map((start) => start.learner)).toEqual(["b", "a"]);
    await closeAll(labs, hand);
  });

  it("stops a lab nobody used for a while, but not while a program of its learner runs there", async () => {
    const hand = handStarter();
    const running = new Set(["busy"]);
    const labs = new LabClusters({ labs: 2, portBase: 20000, idleMs: 40, dir: "unused" }, hand.start, { busy: (id) => running.has(id) });
    labs.open(learner("idle"));
    labs.open(learner("busy"));
    for (const start of hand.pending.splice(0)) start.finish();
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(labs.state("idle").phase).toBe("off");
    expect(labs.state("busy").phase).toBe("ready");
    running.clear();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(labs.state("busy").phase).toBe("off");
    await closeAll(labs, hand);
  });

  it("offers nothing when the host turned labs off, and says so", () => {
    const labs = LabClusters.none();
    expect(labs.open(learner("a"))).toMatchObject({ offered: false, phase: "off" });
    expect(labs.notReadyReason("a")).toContain("TRIBUTARY_LABS=0");
  });
});
