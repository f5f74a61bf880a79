/**
 * One vocabulary for loss, the same in the counts, the warnings and the acked-loss check:
 * - sent, not acknowledged: publishes that failed (and any still unanswered at the end); a stream may
 *   have stored some of them anyway ("stored without an ack");
 * - acknowledged, not consumed (counts.lost): no consumer received it by the end of the drain;
 * - acknowledged, then gone (counts.lostAcked): absent from the stream when it was read back after the
 *   run. Only this is loss the stream is answerable for; the other two say what the clients saw.
 * Pure.
 */
import { wholeLoad } from "../contract/profile.js";
import type { Counts, RunResult } from "../contract/result.js";

export const LOSS_TERMS = {
  unacknowledged: "sent, not acknowledged",
  notConsumed: "acknowledged, not consumed",
  gone: "acknowledged, then gone from the stream",
} as const;

/** Whether any publisher of the run waits for an answer (a PubAck or a reply): core publishers do not. */
export function expectsAcks(result: Pick<RunResult, "profile">): boolean {
  return wholeLoad(result.profile).publishers.some((p) => p.mode !== "core");
}

/** counts.lost under the loss vocabulary: core publishes are sent, never acknowledged. */
export function notConsumedLabel(result: Pick<RunResult, "profile">): string {
  return expectsAcks(result) ? LOSS_TERMS.notConsumed : "sent, not consumed";
}

/** Sent and never acknowledged: failed publishes and any unanswered at the end (0 for core: never asked). */
export function unacknowledged(c: Pick<Counts, "published" | "acked">): number {
  return Math.max(0, c.published - c.acked);
}

/**
 * The warnings about loss, in that vocabulary. Acknowledged messages no consumer received are read
 * against the stream's read-back where there is one: still in the stream, they were delivered late or
 * not at all, and are not gone.
 */
export function lossWarnings(result: Pick<RunResult, "counts" | "readBack" | "profile">): string[] {
  const c = result.counts;
  const rb = result.readBack;
  const readBack = rb !== undefined && rb.error === undefined && !rb.streamGone;
  const out: string[] = [];
  if (c.lost > 0)
    out.push(
      readBack && c.lostAcked === 0
        ? `${c.lost} messages ${notConsumedLabel(result)}: no consumer received them by the end of the drain, yet the stream held every acknowledged message when read back, so none is gone (delivered late or not at all)`
        : `${c.lost} messages ${notConsumedLabel(result)}: no consumer received them by the end of the drain`,
    );
  if (c.lostAcked)
    out.push(`${c.lostAcked} messages ${LOSS_TERMS.gone}: not in it when read back after the run`);
  if (rb?.streamGone) out.push(`the stream ${rb.stream} was gone after the run`);
  if (rb?.error)
    out.push(
      `the stream ${rb.stream} could not be read back (${rb.error}): whether acknowledged messages are gone is not known`,
    );
  return out;
}
