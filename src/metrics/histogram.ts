/**
 * HDR histogram helpers. One configuration everywhere (1 us to 60 s, 3 significant digits, 32-bit
 * buckets: the packed variant measured about 5x slower per record) so that any two can be added.
 */
import * as hdr from "hdr-histogram-js";
import type { LatencyBlock } from "../contract/latency.js";

export type Histogram = hdr.Histogram;

export const HISTOGRAM_LOWEST_US = 1;
export const HISTOGRAM_HIGHEST_US = 60_000_000;
export const HISTOGRAM_DIGITS = 3;

export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
    useWebAssembly: false,
  });
}

/** Records a latency in microseconds, clamped into the trackable range so no sample is dropped. */
export function recordUs(h: Histogram, us: number): void {
  // Written so that NaN (a clock bug elsewhere) lands on the lowest value rather than corrupting h.
  h.recordValue(
    Math.round(us >= HISTOGRAM_LOWEST_US ? Math.min(us, HISTOGRAM_HIGHEST_US) : HISTOGRAM_LOWEST_US),
  );
}

/**
 * Deflate at its fastest level: a worker encodes every kind once a second on the thread that sends, and
 * level 1 took 106 us a histogram against 333 us at the default, for 3% more bytes.
 */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h, 1);
}

/**
 * Decoded into 32-bit buckets, one at a time, each let go once added. "Packed" buckets (allocated only
 * where counts are) were tried against memory, but decoding and adding a busy second's e2e histogram
 * took 18-22 ms packed against 0.2-0.8 ms in 32-bit buckets (this VM, 2026-12-04): on the coordinator,
 * merging each second's snapshots for the live p99 took 5-17% of a core during a core pub/sub run
 * (--cpu-prof), CPU the load's threads needed on a 2-core machine. Peak memory 60 s / 10 s is
 * measured by `vs-gobench.mjs --only-memory` (docs/benchmarks.md).
 */
const DECODE_AS = 32 as const;

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, DECODE_AS, false);
  // Decoded histograms take their range from the encoding; re-home into the shared configuration.
  const h = createHistogram();
  h.add(decoded);
  decoded.destroy();
  return h;
}

/** Adds encoded histograms into one. Percentiles come from this, never from averaging percentiles. */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const total = createHistogram();
  for (const e of encoded) {
    const h = hdr.decodeFromCompressedBase64(e, DECODE_AS, false);
    total.add(h);
    h.destroy();
  }
  return total;
}

export function summarize(h: Histogram): LatencyBlock {
  const empty = h.totalCount === 0;
  const at = (p: number) => (empty ? 0 : h.getValueAtPercentile(p));
  return {
    count: h.totalCount,
    minUs: empty ? 0 : h.minNonZeroValue,
    meanUs: empty ? 0 : Math.round(h.mean * 10) / 10,
    p50Us: at(50),
    p90Us: at(90),
    p95Us: at(95),
    p99Us: at(99),
    p999Us: at(99.9),
    p9999Us: at(99.99),
    maxUs: empty ? 0 : h.maxValue,
    hdr: encodeHistogram(h),
  };
}

/**
 * Prometheus `le` bounds in seconds: 1-2.5-5 per decade from 10 us to 10 s, then 25 s and 60 s (the
 * histograms' top). The exported histograms and the per-second counts of a result share them.
 */
export const LATENCY_BUCKETS_S = [
  ...[1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1].flatMap((d) => [d, 2.5 * d, 5 * d].map((v) => +v.toPrecision(3))),
  10,
  25,
  60,
];

/**
 * Cumulative counts at each upper bound (microseconds), as a Prometheus histogram's `le` buckets hold
 * them. A sample counts under a bound when its HDR bucket's highest value is at or below it, so bucket
 * edges are as exact as the histogram (3 significant digits).
 */
export function cumulativeCounts(h: Histogram, boundsUs: readonly number[]): number[] {
  const counts = boundsUs.map(() => 0);
  const iterator = (h as unknown as hdr.JsHistogram).recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const v = iterator.next();
    for (let i = boundsUs.length - 1; i >= 0 && v.valueIteratedTo <= boundsUs[i]!; i--)
      counts[i]! += v.countAtValueIteratedTo;
  }
  return counts;
}
