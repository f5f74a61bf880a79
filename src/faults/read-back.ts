/**
 * Reads a stream back after a run, whole, and notes which (publisher, sequence) pairs it holds: the
 * other half of the acked-loss check. An ordered consumer from the first message to the last the stream
 * held when the read began; a stream that is gone is reported as such, not as an error.
 */
import { DeliverPolicy, JetStreamApiError, type JetStreamManager, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { readIntendedNs, readUint32 } from "../../workers/payload.js";
import type { ReadBack } from "./acked-loss.js";

/** A read that receives nothing for this long has stalled: it is abandoned and tried again. */
const IDLE_MS = 10_000;
/**
 * Nothing pending after a message short of the stream's last sequence: the tail was removed (interest
 * retention, a delete), or the server's count is behind (it is an estimate). The read waits this long
 * for more before it takes itself as whole.
 */
const QUIET_MS = 2_000;
/**
 * After a fault the stream may have no leader for a while, and on a loaded machine a consumer create
 * can time out: the whole read is tried again, from the start, for this long.
 */
const RETRY = { forMs: 45_000, pauseMs: 1_000 };

export async function readBackStream(
  nc: NatsConnection,
  jsm: JetStreamManager,
  stream: string,
  retry = RETRY,
): Promise<ReadBack & { messages: number }> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(nc, jsm, stream);
    } catch (err) {
      const elapsedMs = Date.now() - started;
      if (!transient(err as Error)) throw err;
      if (elapsedMs + retry.pauseMs > retry.forMs)
        throw new Error(
          `${(err as Error).message} (${attempt} attempts in ${(elapsedMs / 1000).toFixed(1)} s)`,
        );
      await new Promise((r) => setTimeout(r, retry.pauseMs));
    }
  }
}

/**
 * Worth asking again: a request that timed out or found no responder, a stream without a leader for the
 * moment, a read that stalled. A refusal (permissions, a consumer the stream does not allow) is not.
 */
function transient(err: Error): boolean {
  if (err instanceof StalledRead) return true;
  const cause = err.cause instanceof Error ? err.cause : err;
  if (cause instanceof JetStreamApiError) return cause.code === 10008 || cause.status === 503;
  return /timeout|no responders|disconnect|leader|unavailable/i.test(`${cause.name} ${cause.message}`);
}

class StalledRead extends Error {}

/** One whole read: throws when it cannot finish, so that nothing half-read is taken for loss. */
async function readOnce(
  nc: NatsConnection,
  jsm: JetStreamManager,
  stream: string,
): Promise<ReadBack & { messages: number }> {
  const info = await streamState(jsm, stream);
  const empty = { present: new Map(), foreign: 0, firstSeq: 0, messages: 0 };
  if (!info) return { ...empty, streamExists: false };
  if (info.messages === 0) return { ...empty, firstSeq: info.firstSeq, streamExists: true };
  const present = new Map<number, Uint8Array>();
  let foreign = 0;
  let read = 0;
  let lastSeen = 0;
  /** What the consumer said was still to come after the last message it delivered. */
  let pendingAfter = -1;
  /** Why the read stopped before the stream's last sequence: nothing at all came, or nothing more. */
  let stoppedBy: "idle" | "quiet" | undefined;
  const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 2000 });
  let idle: NodeJS.Timeout | undefined;
  const arm = (why: "idle" | "quiet") => {
    clearTimeout(idle);
    idle = setTimeout(
      () => {
        stoppedBy = why;
        messages.stop();
      },
      why === "quiet" ? QUIET_MS : IDLE_MS,
    );
  };
  arm("idle");
  try {
    for await (const m of messages) {
      read++;
      lastSeen = m.seq;
      pendingAfter = m.info.pending;
      const data = m.data;
      if (readIntendedNs(data) > 0) {
        const publisher = readUint32(data, 8);
        const seq = readUint32(data, 12);
        let bits = present.get(publisher);
        if (!bits || bits.length <= seq >> 3) {
          const grown = new Uint8Array(Math.max((seq >> 3) + 1, (bits?.length ?? 0) * 2, 1024));
          if (bits) grown.set(bits);
          bits = grown;
          present.set(publisher, bits);
        }
        bits[seq >> 3]! |= 1 << (seq & 7);
      } else foreign++;
      if (m.seq >= info.lastSeq) break;
      arm(pendingAfter === 0 ? "quiet" : "idle");
    }
  } finally {
    clearTimeout(idle);
    messages.stop();
  }
  // The stream keeps its last sequence after the message there is removed (interest retention, a
  // delete): with nothing pending after what was read, and nothing more for QUIET_MS (the quiet wait
  // is armed only then), the read is whole.
  if (lastSeen < info.lastSeq && stoppedBy !== "quiet")
    throw new StalledRead(
      stoppedBy === "idle"
        ? `the read of ${stream} stalled at sequence ${lastSeen} of ${info.lastSeq} (nothing for ${IDLE_MS / 1000} s)`
        : `the read of ${stream} ended at sequence ${lastSeen} of ${info.lastSeq}`,
    );
  return { present, foreign, firstSeq: info.firstSeq, streamExists: true, messages: read };
}

async function streamState(
  jsm: JetStreamManager,
  stream: string,
): Promise<{ firstSeq: number; lastSeq: number; messages: number } | undefined> {
  try {
    const si = await jsm.streams.info(stream);
    return { firstSeq: si.state.first_seq, lastSeq: si.state.last_seq, messages: si.state.messages };
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === 10059) return undefined;
    throw new Error(`stream info for ${stream}: ${(err as Error).message}`, { cause: err });
  }
}
