import { describe, expect, it } from "vitest";
import type { FaultSpec } from "../src/contract/faults.js";
import type { NodeHandle } from "../src/faults/node-handle.js";
import { FaultTimeline } from "../src/faults/timeline.js";

/** Nodes that note what was done to them, in order; `startMs` is how long a start takes. */
function fakeNodes(count: number, startMs = 0) {
  const log: string[] = [];
  const handle = (index: number): NodeHandle => ({
    index,
    name: `n${index}`,
    kill: async () => void log.push(`kill ${index}`),
    start: async () => {
      log.push(`start ${index} begins`);
      await new Promise((r) => setTimeout(r, startMs));
      log.push(`start ${index} done`);
    },
    stopGracefully: async () => void log.push(`stop ${index}`),
    pause: async () => void log.push(`pause ${index}`),
    resume: async () => void log.push(`resume ${index}`),
    lameDuck: async () => void log.push(`lameDuck ${index}`),
    undoAtExit: () => void log.push(`undo ${index}`),
  });
  const nodes = Array.from({ length: count }, (_, i) => ({ index: i + 1, name: `n${i + 1}` }));
  return { log, nodes, handle: (index: number) => handle(index) };
}

const fault = (over: Partial<FaultSpec>): FaultSpec => ({
  name: "f",
  kind: "pause",
  target: 1,
  atMs: 0,
  forMs: 50,
  ...over,
});

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the fault timeline", () => {
  it("fires on the run's clock, names the leader it resolved, and undoes each fault", async () => {
    const n = fakeNodes(3);
    const timeline = new FaultTimeline(
      [fault({ name: "a", kind: "kill", target: "streamLeader", atMs: 10, forMs: 30 })],
      {
        embedded: true,
        nodes: n.nodes,
        handle: n.handle,
        proxies: [],
        leader: async () => "n2",
        stepdown: async () => {},
      },
      0,
    );
    timeline.arm(process.hrtime.bigint());
    await settle(150);
    const [record] = await timeline.finish();
    expect(n.log).toEqual(["kill 2", "start 2 begins", "start 2 done"]);
    expect(record).toMatchObject({ fired: true, node: { index: 2, name: "n2" } });
    expect(record!.endNs! - record!.startNs!).toBeGreaterThanOrEqual(30e6);
  });

  it("a fault on a node still being started again waits until it is up", async () => {
    const n = fakeNodes(1, 200);
    const timeline = new FaultTimeline(
      [
        fault({ name: "down", kind: "kill", atMs: 0, forMs: 20 }),
        fault({ name: "freeze", kind: "pause", atMs: 60, forMs: 20 }),
      ],
      {
        embedded: true,
        nodes: n.nodes,
        handle: n.handle,
        proxies: [],
        leader: async () => undefined,
        stepdown: async () => {},
      },
      0,
    );
    timeline.arm(process.hrtime.bigint());
    await settle(500);
    await timeline.finish();
    expect(n.log).toEqual(["kill 1", "start 1 begins", "start 1 done", "pause 1", "resume 1"]);
  });

  it("finish() undoes a fault that is still on, and cancels those yet to fire", async () => {
    const n = fakeNodes(2);
    const timeline = new FaultTimeline(
      [
        fault({ name: "long", kind: "pause", target: 2, atMs: 0, forMs: 60_000 }),
        fault({ name: "later", kind: "kill", target: 1, atMs: 60_000, forMs: 1000 }),
      ],
      {
        embedded: true,
        nodes: n.nodes,
        handle: n.handle,
        proxies: [],
        leader: async () => undefined,
        stepdown: async () => {},
      },
      0,
    );
    timeline.arm(process.hrtime.bigint());
    await settle(50);
    const records = await timeline.finish();
    expect(n.log).toEqual(["pause 2", "resume 2"]);
    expect(records.map((r) => [r.spec.name, r.fired])).toEqual([
      ["long", true],
      ["later", false],
    ]);
  });

  it("records a fault that could not be injected, and goes on", async () => {
    const n = fakeNodes(3);
    const timeline = new FaultTimeline(
      [fault({ name: "sd", kind: "stepdown", target: "streamLeader", of: "stream", atMs: 0, forMs: 0 })],
      {
        embedded: true,
        nodes: n.nodes,
        handle: n.handle,
        proxies: [],
        leader: async () => "n1",
        stepdown: async () => {
          throw new Error("no leader to step down (10008)");
        },
      },
      0,
    );
    timeline.arm(process.hrtime.bigint());
    await settle(50);
    const [record] = await timeline.finish();
    expect(record!.error).toBe("no leader to step down (10008)");
  });
});
