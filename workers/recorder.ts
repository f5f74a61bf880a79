/**
 * Per-thread measurement state: histograms for the measured phase and for the current second, counters,
 * error kinds. Clients record here; the thread posts interval snapshots and returns the totals.
 */

import {
  COUNTER,
  counterIndex,
  HEADER,
  type IntervalSnapshot,
  type LatencyKind,
  type Timing,
} from "../src/engine/protocol.js";
import { createHistogram, encodeHistogram, type Histogram, recordUs } from "../src/metrics/histogram.js";

export class ThreadRecorder {
  /** The start instant, absolute monotonic ns (a Number: exact to a few ns, and cheap to subtract). */
  startNs = 0;
  private readonly measured = new Map<LatencyKind, Histogram>();
  private readonly interval = new Map<LatencyKind, { measured: Histogram; other: Histogram }>();
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

  constructor(
    readonly thread: number,
    private readonly enabled: boolean,
    private readonly timing: Timing,
    counters: SharedArrayBuffer,
  ) {
    this.counters = new Float64Array(counters);
  }

  get lateSendThresholdNs(): number {
    return this.timing.lateSendThresholdUs * 1000;
  }

  /** Nanoseconds since the start instant. */
  relNow(): number {
    return Number(process.hrtime.bigint()) - this.startNs;
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
    recordUs(measured ? pair.measured : pair.other, latencyUs);
  }

  private addKind(kind: LatencyKind): { measured: Histogram; other: Histogram } {
    const pair = { measured: createHistogram(), other: createHistogram() };
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

  /** This second's figures; folds its measured samples into the run total and resets. */
  snapshot(index: number): IntervalSnapshot {
    const histograms: IntervalSnapshot["histograms"] = {};
    for (const [kind, pair] of this.interval) {
      if (pair.measured.totalCount > 0) {
        let total = this.measured.get(kind);
        if (!total) {
          total = createHistogram();
          this.measured.set(kind, total);
        }
        total.add(pair.measured);
      }
      pair.measured.add(pair.other);
      if (pair.measured.totalCount > 0) histograms[kind] = encodeHistogram(pair.measured);
      pair.measured.reset();
      pair.other.reset();
    }
    this.applyAliases(histograms);
    const snap = {
      thread: this.thread,
      index,
      ...this.intervalCounts,
      errorKinds: this.intervalErrorKinds,
      histograms,
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
