/**
 * Per-thread measurement state: histograms for the measured phase and for the current second, counters,
 * error kinds. Clients record here; the thread posts interval snapshots and returns the totals.
 */

import type { LatencyKind } from "../src/contract/latency.js";
import {
  COUNTER,
  counterIndex,
  FAILED_SUFFIX,
  failedKey,
  HEADER,
  type IntendedPart,
  type IntervalSnapshot,
  type Timing,
} from "../src/engine/protocol.js";
import { createHistogram, encodeHistogram, type Histogram, recordUs } from "../src/metrics/histogram.js";
import { StagedHistogram } from "../src/metrics/staged-histogram.js";
import { SuccessLog } from "./success-log.js";

/**
 * performance.now() reads the same monotonic clock as process.hrtime in half the time (no BigInt), but
 * from this thread's own origin. The offset between the two, taken from the tightest of a few reads
 * on both sides, turns it into host-wide monotonic ns that every thread (and the payloads) agree on.
 */
export function monotonicOffsetNs(): number {
  let best = { spanNs: Number.POSITIVE_INFINITY, offsetNs: 0 };
  for (let i = 0; i < 20; i++) {
    const before = Number(process.hrtime.bigint());
    const perfNs = performance.now() * 1e6;
    const after = Number(process.hrtime.bigint());
    if (after - before < best.spanNs)
      best = { spanNs: after - before, offsetNs: (before + after) / 2 - perfNs };
  }
  return best.offsetNs;
}

/** A second of intended send time is handed over this many seconds after it ended (see intendedParts). */
const INTENDED_SETTLE_S = 3;

function histogramOf(byKey: Map<string, Histogram>, key: string): Histogram {
  let h = byKey.get(key);
  if (!h) {
    h = createHistogram();
    byKey.set(key, h);
  }
  return h;
}

export class ThreadRecorder {
  /**
   * The start instant, absolute monotonic ns on the coordinator's clock (a Number: exact to a few ns, and
   * cheap to subtract).
   */
  startNs = 0;
  /** Added to performance.now() in ns, it gives process.hrtime's clock (monotonicOffsetNs). */
  private readonly perfOffsetNs: number;
  private readonly measured = new Map<LatencyKind, Histogram>();
  /** Measured-phase histograms under names of their own (a service endpoint's request latency). */
  private readonly named = new Map<string, Histogram>();
  /** This second's samples, staged: every message passes here, so a record must cost next to nothing. */
  private readonly interval = new Map<LatencyKind, { measured: StagedHistogram; other: StagedHistogram }>();
  readonly errors: Record<string, number> = {};
  private intervalCounts = { published: 0, acked: 0, consumed: 0, errors: 0 };
  private intervalErrorKinds: Record<string, number> = {};
  private readonly counters: Float64Array;
  /**
   * Kinds that are, by construction, the same histogram as another: `pubAckRaw` is `pubAck` when every
   * JetStream publisher on the thread is closed loop (intended send time = actual send time). Recorded
   * once, reported under both names.
   */
  readonly aliases = new Map<LatencyKind, LatencyKind>();
  /**
   * Latency by intended send time in each of Timing.latencyWindows (fault runs): under the kind, every
   * operation, failed ones at their time to failure; under FAILED_KEY(kind), the failed ones alone.
   */
  private readonly windows: Array<Map<string, Histogram>>;
  /** Fault runs: latency by second of intended send time, successes and failures apart (see intendedParts). */
  private readonly bySecond = new Map<number, Map<string, Histogram>>();
  /** Publishes that succeeded (PubAcks, replies) and deliveries, over time: for the fault figures. */
  readonly publishes = new SuccessLog();
  readonly deliveries = new SuccessLog();

  constructor(
    readonly thread: number,
    private readonly enabled: boolean,
    private readonly timing: Timing,
    counters: SharedArrayBuffer,
    /** This host's clock minus the coordinator's, ns (agents; 0 on the coordinator's own host). */
    private readonly clockOffsetNs = 0,
  ) {
    this.counters = new Float64Array(counters);
    this.perfOffsetNs = monotonicOffsetNs();
    this.windows = (timing.latencyWindows ?? []).map(() => new Map());
  }

  /**
   * Fault runs: keeps an operation's latency by its intended send time, in the fault windows it falls in
   * and in its second. A failed operation counts too, with the time it took to fail: the windows' figures
   * never hide failures, and the per-second series keeps them apart from the successes.
   */
  recordIntended(kind: LatencyKind, latencyUs: number, intendedNs: number, failed = false): void {
    const spans = this.timing.latencyWindows;
    if (!spans || !this.enabled) return;
    for (let i = 0; i < spans.length; i++) {
      const [from, to] = spans[i]!;
      if (intendedNs < from || intendedNs >= to) continue;
      recordUs(histogramOf(this.windows[i]!, kind), latencyUs);
      if (failed) recordUs(histogramOf(this.windows[i]!, failedKey(kind)), latencyUs);
    }
    const second = Math.floor(intendedNs / 1e9);
    let byKind = this.bySecond.get(second);
    if (!byKind) {
      byKind = new Map();
      this.bySecond.set(second, byKind);
    }
    recordUs(histogramOf(byKind, failed ? failedKey(kind) : kind), latencyUs);
  }

  /** The fault windows' histograms, encoded, in the order of Timing.latencyWindows. */
  windowHistograms(): Array<Record<string, string>> | undefined {
    if (!this.timing.latencyWindows) return undefined;
    return this.windows.map((byKind) => {
      const out: Record<string, string> = {};
      for (const [kind, h] of byKind) out[kind] = encodeHistogram(h);
      return out;
    });
  }

  /**
   * The seconds of intended send time up to `throughSecond`, encoded and let go: a second's
   * operations have nearly all completed a few seconds on, and holding every second of a long run
   * would cost 70 KB a histogram. One that completes later starts the second afresh, as another part.
   */
  private intendedParts(throughSecond: number): IntendedPart[] {
    const parts: IntendedPart[] = [];
    for (const [index, byKind] of this.bySecond) {
      if (index > throughSecond) continue;
      for (const [key, h] of byKind) {
        const failed = key.endsWith(FAILED_SUFFIX);
        const kind = (failed ? key.slice(0, -FAILED_SUFFIX.length) : key) as LatencyKind;
        parts.push({ index, kind, ...(failed && { failed }), hdr: encodeHistogram(h) });
        h.destroy();
      }
      this.bySecond.delete(index);
    }
    return parts;
  }

  get lateSendThresholdNs(): number {
    return this.timing.lateSendThresholdUs * 1000;
  }

  /** Nanoseconds since the start instant, on the coordinator's clock. */
  relNow(): number {
    return performance.now() * 1e6 + this.perfOffsetNs - this.clockOffsetNs - this.startNs;
  }

  /** End of the measured phase: fixed for time-bounded runs, set by the coordinator for message-bounded ones. */
  measureEndNs(): number {
    const shared = this.counters[HEADER.measureEndNs]!;
    return shared > 0 ? Math.min(shared, this.timing.measureEndNs) : this.timing.measureEndNs;
  }

  /** Whether a message intended (or received) at relNs belongs to the measured phase. */
  inMeasure(relNs: number): boolean {
    return relNs >= this.timing.warmupNs && relNs < this.measureEndNs();
  }

  /**
   * One histogram record per sample: into this second's measured or unmeasured histogram. Once a
   * second the measured one is added into the run total, and both into the second's snapshot.
   */
  record(kind: LatencyKind, latencyUs: number, measured: boolean): void {
    if (!this.enabled) return;
    const pair = this.interval.get(kind) ?? this.addKind(kind);
    (measured ? pair.measured : pair.other).record(latencyUs);
  }

  /** A measured sample under a name of its own; only the run total is kept, no per-second figures. */
  recordNamed(name: string, latencyUs: number, measured: boolean): void {
    if (!this.enabled || !measured) return;
    let h = this.named.get(name);
    if (!h) {
      h = createHistogram();
      this.named.set(name, h);
    }
    recordUs(h, latencyUs);
  }

  /** The named histograms, encoded. */
  namedHistograms(): Record<string, string> {
    return Object.fromEntries([...this.named].map(([name, h]) => [name, encodeHistogram(h)]));
  }

  private addKind(kind: LatencyKind): { measured: StagedHistogram; other: StagedHistogram } {
    const pair = { measured: new StagedHistogram(), other: new StagedHistogram() };
    this.interval.set(kind, pair);
    return pair;
  }

  /** Counts a client's event in its shared row and in this second's figures. */
  count(slot: number, field: "sent" | "acked" | "consumed" | "errors", n = 1): void {
    this.counters[counterIndex(slot, COUNTER[field])]! += n;
    this.intervalCounts[field === "sent" ? "published" : field] += n;
  }

  error(slot: number, kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
    this.intervalErrorKinds[kind] = (this.intervalErrorKinds[kind] ?? 0) + 1;
    this.count(slot, "errors");
  }

  markDone(slot: number): void {
    this.counters[counterIndex(slot, COUNTER.done)] = 1;
  }

  /**
   * This second's figures; folds its measured samples into the run total and resets. The last snapshot
   * (`last`, after every client stopped) also hands over every second of intended send time still held.
   */
  snapshot(index: number, last = false): IntervalSnapshot {
    const histograms: IntervalSnapshot["histograms"] = {};
    for (const [kind, pair] of this.interval) {
      const second = pair.measured.flush();
      if (second.totalCount > 0) {
        let total = this.measured.get(kind);
        if (!total) {
          total = createHistogram();
          this.measured.set(kind, total);
        }
        total.add(second);
      }
      second.add(pair.other.flush());
      if (second.totalCount > 0) histograms[kind] = encodeHistogram(second);
      pair.measured.reset();
      pair.other.reset();
    }
    this.applyAliases(histograms);
    // Every snapshot hands over the seconds settled by now; the last one (after every client stopped) all.
    const settled = last ? Number.POSITIVE_INFINITY : index - INTENDED_SETTLE_S;
    const intended = this.bySecond.size > 0 ? this.intendedParts(settled) : [];
    const snap: IntervalSnapshot = {
      thread: this.thread,
      index,
      ...this.intervalCounts,
      errorKinds: this.intervalErrorKinds,
      histograms,
      ...(intended.length > 0 && { intended }),
    };
    this.intervalCounts = { published: 0, acked: 0, consumed: 0, errors: 0 };
    this.intervalErrorKinds = {};
    return snap;
  }

  /** The measured phase's histograms; call after the last snapshot. */
  finalHistograms(): Partial<Record<LatencyKind, string>> {
    const out: Partial<Record<LatencyKind, string>> = {};
    for (const [kind, h] of this.measured) out[kind] = encodeHistogram(h);
    this.applyAliases(out);
    return out;
  }

  private applyAliases(histograms: Partial<Record<LatencyKind, string>>): void {
    for (const [alias, of] of this.aliases)
      if (histograms[of] !== undefined) histograms[alias] = histograms[of];
  }
}
