import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { dataPathWarning, mergeDataPaths } from "../src/contract/data-path.js";
import { deliverDirectly } from "../workers/direct-delivery.js";
import { FrameBatch } from "../workers/frame-batch.js";
import { FramePublisher } from "../workers/frames.js";
import { dataPathOfThread } from "../workers/nats-internals.js";

/** A connection with nats.js's shapes: an outbound buffer, the server's INFO, open. */
function fakeConnection(maxPayload: number): { nc: NatsConnection; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  const nc = {
    protocol: { sendCommand: (cmd: Uint8Array, ...payloads: Uint8Array[]) => sent.push(cmd, ...payloads) },
    info: { max_payload: maxPayload },
    isClosed: () => false,
  } as unknown as NatsConnection;
  return { nc, sent };
}

describe("the framed data path", () => {
  it("refuses a payload above the server's max_payload, as nats.js's publish() does", () => {
    const { nc, sent } = fakeConnection(1024);
    const batch = FrameBatch.on(nc)!;
    const subject = FramePublisher.prepare("a.b");
    expect(() => batch.add(subject, 1025)).toThrow(
      "message size of 1025 exceeds the server's max_payload of 1024",
    );
    const at = batch.add(subject, 1024);
    expect(at).toBe("PUB a.b 1024\r\n".length);
    batch.flush();
    expect(sent).toHaveLength(1);
    const frames = new FramePublisher(nc);
    expect(() => frames.publish(subject, new Uint8Array(2000))).toThrow(
      /exceeds the server's max_payload of 1024/,
    );
    frames.publish(subject, new Uint8Array(3));
    expect(new TextDecoder().decode(sent[1])).toBe("PUB a.b 3\r\n");
  });

  it("writes acks copied from a read buffer, every ack of one task as one piece", async () => {
    const { nc, sent } = fakeConnection(1024);
    const batch = FrameBatch.on(nc)!;
    const read = new TextEncoder().encode("xx$JS.ACK.S.C.1.5.5.1.0yy$JS.ACK.S.C.2.6.6.1.0");
    batch.addEmptyTo(read, 2, 23);
    batch.addEmptyTo(read, 25, 46);
    read.fill(0); // the read buffer is reused: the frames must hold copies
    expect(sent).toHaveLength(0);
    await Promise.resolve();
    expect(sent.map((b) => new TextDecoder().decode(b))).toEqual([
      "PUB $JS.ACK.S.C.1.5.5.1.0 0\r\n\r\nPUB $JS.ACK.S.C.2.6.6.1.0 0\r\n\r\n",
    ]);
  });

  it("takes nats.js's publish() where the connection has no outbound buffer", () => {
    expect(FrameBatch.on({ info: {}, isClosed: () => false } as unknown as NatsConnection)).toBeUndefined();
  });
});

describe("env.dataPath", () => {
  it("falls back for the run when any thread fell back, and says so", () => {
    const fast = { publish: "frames", parse: "fast", receive: "wire", deliver: "direct" } as const;
    expect(mergeDataPaths([fast, undefined, fast])).toEqual(fast);
    expect(mergeDataPaths([])).toBeUndefined();
    // Threads that do not say how they delivered (an older agent's) leave it unsaid.
    const older = { publish: "frames", parse: "fast", receive: "wire" } as const;
    expect(mergeDataPaths([older, older])).toEqual(older);
    expect(mergeDataPaths([older, fast])).toEqual(fast);
    const slow = mergeDataPaths([fast, { ...fast, parse: "nats.js" }])!;
    expect(slow).toEqual({ publish: "frames", parse: "nats.js", receive: "wire", deliver: "direct" });
    expect(dataPathWarning(fast)).toBeUndefined();
    expect(dataPathWarning(mergeDataPaths([fast, { ...fast, deliver: "nats.js" }]))).toMatch(
      /^the fast data path was not available \(every message went through nats.js's dispatch\)/,
    );
    expect(dataPathWarning(slow)).toBe(
      "the fast data path was not available (messages were parsed by nats.js's own parser): this nats.js is not the version benchline pins (npm ci installs it), or BENCHLINE_DATA_PATH=nats.js chose nats.js's own; throughput is lower than benchline can reach",
    );
  });
});

describe("direct delivery's fallback", () => {
  it("registers nothing on a connection without nats.js's shapes, and the thread's path says so", () => {
    const sub = { sid: 3, closed: new Promise(() => {}) } as unknown as Subscription;
    expect(dataPathOfThread().deliver).toBe("direct");
    expect(deliverDirectly({} as NatsConnection, sub, () => {})).toBe(false);
    expect(dataPathOfThread().deliver).toBe("nats.js");
    const protocol = { inMsgs: 0, inBytes: 0 } as { benchlineDirect?: Map<number, unknown> };
    expect(deliverDirectly({ protocol } as unknown as NatsConnection, sub, () => {})).toBe(true);
    expect([...protocol.benchlineDirect!.keys()]).toEqual([3]);
  });
});
