/**
 * The acked-loss check, as Jepsen's queue checker is: a pure function from what was attempted and
 * acknowledged to what was read back, to the sets that matter. An acknowledged message absent from the
 * stream is lost, unless the stream's own limits removed it (its stream sequence is below the first one
 * the stream still holds: limits remove from the head).
 */
import type { LossReport } from "../contract/fault-results.js";

/** One publisher's side: what it sent and what the stream acknowledged, at which stream sequence. */
export interface Attempted {
  publisherId: number;
  sent: number;
  /** Bit per own sequence the stream acknowledged. */
  acknowledged: Uint8Array;
  /** Stream sequence of each acknowledged own sequence (0 where unknown). */
  streamSeqs?: ArrayLike<number>;
}

/** What the read-back found: per publisher id, bit per own sequence present in the stream. */
export interface ReadBack {
  present: Map<number, Uint8Array>;
  /** Messages in the stream that no publisher of this run sent. */
  foreign: number;
  /** The first sequence the stream still holds after the run (0: the stream is empty or gone). */
  firstSeq: number;
  /** Present at all: false when the stream is gone. */
  streamExists: boolean;
}

const bit = (bits: Uint8Array | undefined, i: number) =>
  bits !== undefined && ((bits[i >> 3] ?? 0) >> (i & 7)) & 1;

export function checkAckedLoss(attempted: Attempted[], read: ReadBack): LossReport {
  const report: LossReport = {
    acknowledged: 0,
    lost: 0,
    removedByLimits: 0,
    recovered: 0,
    unexpected: read.foreign,
    lostSample: [],
  };
  const known = new Set<number>();
  for (const a of attempted) {
    known.add(a.publisherId);
    const present = read.present.get(a.publisherId);
    for (let seq = 0; seq < a.sent; seq++) {
      const acked = bit(a.acknowledged, seq);
      const there = bit(present, seq);
      if (acked) report.acknowledged++;
      if (acked && !there) {
        const streamSeq = a.streamSeqs?.[seq] ?? 0;
        if (read.streamExists && read.firstSeq > 0 && streamSeq > 0 && streamSeq < read.firstSeq) {
          report.removedByLimits++;
        } else {
          report.lost++;
          if (report.lostSample.length < 10) report.lostSample.push(`${a.publisherId}:${seq}`);
        }
      } else if (!acked && there) report.recovered++;
    }
    if (present)
      for (let seq = a.sent; seq < present.length * 8; seq++) if (bit(present, seq)) report.unexpected++;
  }
  for (const [id, bits] of read.present) {
    if (known.has(id)) continue;
    for (let seq = 0; seq < bits.length * 8; seq++) if (bit(bits, seq)) report.unexpected++;
  }
  return report;
}
