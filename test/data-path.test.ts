import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { dataPathWarning, mergeDataPaths } from "../src/contract/data-path.js";
import { FrameBatch } from "../workers/frame-batch.js";
import { FramePublisher } from "../workers/frames.js";

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

  it("takes nats.js's publish() where the connection has no outbound buffer", () => {
    expect(FrameBatch.on({ info: {}, isClosed: () => false } as unknown as NatsConnection)).toBeUndefined();
  });
});

describe("env.dataPath", () => {
  it("falls back for the run when any thread fell back, and says so", () => {
    const fast = { publish: "frames", parse: "fast", receive: "wire" } as const;
    expect(mergeDataPaths([fast, undefined, fast])).toEqual(fast);
    expect(mergeDataPaths([])).toBeUndefined();
    const slow = mergeDataPaths([fast, { ...fast, parse: "nats.js" }])!;
    expect(slow).toEqual({ publish: "frames", parse: "nats.js", receive: "wire" });
    expect(dataPathWarning(fast)).toBeUndefined();
    expect(dataPathWarning(slow)).toBe(
      "the fast data path was not available (messages were parsed by nats.js's own parser): this nats.js is not the version benchline pins (npm ci installs it); throughput is lower than benchline can reach",
    );
  });
});
