import { describe, expect, it } from "vitest";
import { deliveryCount, deliveryCountOfBytes } from "../workers/ack-reply.js";

describe("deliveryCount", () => {
  it.each([
    ["$JS.ACK.ORDERS.C1.1.42.40.1700000000000000000.7", 1],
    ["$JS.ACK.ORDERS.C1.3.42.40.1700000000000000000.0", 3],
    ["$JS.ACK.hub.ACCHASH.ORDERS.C1.12.42.40.1700000000000000000.7.xyz", 12],
    ["$JS.ACK.hub.ACCHASH.S.c.1.1.1.1.0.tok", 1],
  ])("%s was delivered %d times", (reply, count) => {
    expect(deliveryCount(reply)).toBe(count);
    // The raw pull path reads the same from the reply's bytes as they came off the wire.
    expect(deliveryCountOfBytes(new TextEncoder().encode(reply))).toBe(count);
  });
});
