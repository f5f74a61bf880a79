/**
 * The read-back of the acked-loss check on a real server: a stream API that fails for a while (as after
 * a leader kill on a loaded machine) is asked again, and one that keeps failing is an error that says
 * what failed and for how long, never a half-read taken for loss.
 */
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { readBackStream } from "../src/faults/read-back.js";
import { NatsServer } from "../src/server/launcher.js";

/** The manager, with its first `failures` stream-info calls failing (as a timed-out request does, by default). */
function flaky(
  jsm: JetStreamManager,
  failures: number,
  message = "TIMEOUT",
): JetStreamManager & { calls: () => number } {
  let calls = 0;
  const streams = new Proxy(jsm.streams, {
    get(target, prop, receiver) {
      if (prop !== "info") return Reflect.get(target, prop, receiver);
      return (...args: Parameters<typeof target.info>) => {
        calls++;
        if (calls <= failures) return Promise.reject(new Error(message));
        return target.info(...args);
      };
    },
  });
  return Object.assign(Object.create(jsm) as JetStreamManager, { streams, calls: () => calls });
}

describe("the stream read-back", () => {
  it("asks again while the stream API fails, then reads the whole stream; gives up with the reason", {
    timeout: 60_000,
  }, async () => {
    await using server = await NatsServer.start();
    const nc = await connect({ servers: server.clientUrl });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "RB", subjects: ["rb.>"] });
      const js = jsm.jetstream();
      for (let i = 0; i < 50; i++) await js.publish("rb.x", new Uint8Array(20));

      const twice = flaky(jsm, 2);
      const read = await readBackStream(nc, twice, "RB", { forMs: 10_000, pauseMs: 50 });
      expect(twice.calls()).toBe(3);
      expect(read.streamExists).toBe(true);
      expect(read.messages).toBe(50);
      // Not benchline's payloads: counted, never taken for a publisher's sequence.
      expect(read.foreign).toBe(50);
      expect(read.present.size).toBe(0);

      const always = flaky(jsm, Number.POSITIVE_INFINITY);
      const err = await readBackStream(nc, always, "RB", { forMs: 400, pauseMs: 100 }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^stream info for RB: TIMEOUT \([2-9] attempts in \d+\.\d s\)$/);

      // A refusal is not asked again: it fails at once, with the server's words.
      const refused = flaky(
        jsm,
        Number.POSITIVE_INFINITY,
        "Permissions Violation for Publish to $JS.API.STREAM.INFO.RB",
      );
      const denial = await readBackStream(nc, refused, "RB", { forMs: 10_000, pauseMs: 50 }).catch(
        (e: Error) => e,
      );
      expect(refused.calls()).toBe(1);
      expect((denial as Error).message).toBe(
        "stream info for RB: Permissions Violation for Publish to $JS.API.STREAM.INFO.RB",
      );

      // The stream's last sequence stays after the message there is deleted: the read is still whole.
      await jsm.streams.deleteMessage("RB", 50);
      const tail = await readBackStream(nc, jsm, "RB", { forMs: 10_000, pauseMs: 50 });
      expect(tail.messages).toBe(49);

      expect((await readBackStream(nc, jsm, "GONE")).streamExists).toBe(false);
    } finally {
      await nc.close();
    }
  });
});
