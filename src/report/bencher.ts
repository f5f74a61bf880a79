/**
 * Bencher Metric Format (BMF) JSON of a compare's candidate runs: one benchmark per metric
 * (`<profile> <metric>`), its median with the runs' min and max, under the measure for its unit. Pure.
 */
import type { MetricInfo } from "../baseline/metrics.js";
import type { CompareReport } from "../baseline/report-model.js";

/** A Bencher measure slug, and what one of benchline's units is worth in that measure's unit. */
interface Measure {
  slug: string;
  perUnit: number;
}

/**
 * `latency` and `throughput` are Bencher's built-in measures: Bencher gives them their units
 * (nanoseconds; operations per second, one message being one operation) and scales them for display.
 * The others are created on first upload with a generic unit unless the project made them first
 * (docs/outputs.md: `bencher measure create`).
 */
export const BENCHER_MEASURES: Record<MetricInfo["unit"], Measure> = {
  us: { slug: "latency", perUnit: 1000 },
  // A fault's recovery and unavailability are durations too: Bencher's latency measure, in ns.
  ms: { slug: "latency", perUnit: 1_000_000 },
  "msgs/s": { slug: "throughput", perUnit: 1 },
  "bytes/s": { slug: "bytes-per-second", perUnit: 1 },
  count: { slug: "count", perUnit: 1 },
  ratio: { slug: "fraction", perUnit: 1 },
};

type Metric = { value: number; lower_value: number; upper_value: number };

export function renderBencher(report: CompareReport): string {
  const benchmarks: Record<string, Record<string, Metric>> = {};
  for (const m of report.metrics) {
    if (m.candidateValues.length === 0) continue;
    const measure = BENCHER_MEASURES[m.unit as MetricInfo["unit"]];
    // Drops binary noise from the conversion (16.1 us x 1000 is 16100.000000000002 in floating point).
    const inMeasure = (v: number) => Number((v * measure.perUnit).toPrecision(15));
    benchmarks[`${report.baseline.profile} ${m.metric}`] = {
      [measure.slug]: {
        value: inMeasure(m.candidateMedian),
        lower_value: inMeasure(Math.min(...m.candidateValues)),
        upper_value: inMeasure(Math.max(...m.candidateValues)),
      },
    };
  }
  return `${JSON.stringify(benchmarks, null, 2)}\n`;
}
