/**
 * A run's per-second series as the counters Prometheus would have scraped from its /metrics:
 * benchline_published_total, benchline_publish_errors_total{kind} and the latency histograms'
 * `le` buckets, one sample per run second (values[0] is the start, at 0; values[t] the end of second t).
 * The replay plays each run second as `stepMs` of Prometheus time: rates and ratios are per-second
 * shapes divided by a common factor, so stretching changes which windows a stretch of the run fills,
 * never the ratios inside them. Pure.
 */
import type { IntervalPoint, RunResult } from "../contract/result.js";
import { PUBLISH_ERROR_KINDS } from "../engine/merge.js";
import { UsageError } from "../errors.js";
import type { SeriesNames } from "./prometheus-names.js";
import type { ReplaySeries } from "./rule-eval.js";

type LeCounts = NonNullable<IntervalPoint["le"]>;
const leOf = (p: IntervalPoint, kind: string) => p.le?.[kind as keyof LeCounts];

/** Cumulative values from per-second increments, indexed by run second t (0 = the start). */
function cumulative(points: Map<number, IntervalPoint>, lastT: number, f: (p: IntervalPoint) => number) {
  const values = [0];
  for (let t = 1; t <= lastT; t++) values.push(values[t - 1]! + (points.has(t) ? f(points.get(t)!) : 0));
  return values;
}

/** The run's seconds as replayed series; `labels` are the rules' selector labels, on every series. */
export function replaySeries(
  result: RunResult,
  file: string,
  names: SeriesNames,
  labels: Record<string, string>,
  latencyKinds: string[],
): ReplaySeries[] {
  const bounds = result.intervalBucketsS;
  if (!bounds || result.intervals.some((p) => p.publishErrors === undefined)) {
    throw new UsageError(
      `${file} has no per-second error kinds and latency buckets (a result written before alert replays): run the profile again with this benchline`,
    );
  }
  if (result.intervals.length === 0) throw new UsageError(`${file} has no per-second series to replay`);
  const points = new Map(result.intervals.map((p) => [p.t, p]));
  const lastT = Math.max(...points.keys());
  const series: ReplaySeries[] = [
    { metric: names.published, labels, values: cumulative(points, lastT, (p) => p.published) },
  ];
  const errorKinds = new Set<string>(PUBLISH_ERROR_KINDS);
  for (const p of result.intervals) for (const kind of Object.keys(p.publishErrors!)) errorKinds.add(kind);
  for (const kind of [...errorKinds].sort())
    series.push({
      metric: names.publishErrors,
      labels: { ...labels, kind },
      values: cumulative(points, lastT, (p) => p.publishErrors![kind] ?? 0),
    });
  for (const kind of latencyKinds) {
    if (!result.intervals.some((p) => leOf(p, kind))) continue;
    const les = [...bounds.map(String), "+Inf"];
    les.forEach((le, i) => {
      series.push({
        metric: names.latencyBucket(kind),
        labels: { ...labels, le },
        values: cumulative(points, lastT, (p) => leOf(p, kind)?.[i] ?? 0),
      });
    });
  }
  return series;
}
