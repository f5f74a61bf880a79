/**
 * github-action-benchmark input of a compare's candidate runs: `customSmallerIsBetter` for latency and
 * error metrics, `customBiggerIsBetter` for throughput. Pure.
 *
 * `range` is `± x`, the only form the action reads (extractRangeInfo: `±` or `+-`, then a number); it
 * rescales that number with the value when the unit changes between commits (us to ms, say).
 */
import type { CompareReport } from "../baseline/report-model.js";

interface Entry {
  name: string;
  unit: string;
  value: number;
  range: string;
  extra: string;
}

/** The farthest any run lies from the median: value ± this covers every run. */
function spreadAround(median: number, values: number[]): number {
  const spread = Math.max(median - Math.min(...values), Math.max(...values) - median);
  // Without binary noise: 1450.1 - 1400 is 50.09999999999991 in floating point.
  return Number(spread.toPrecision(12));
}

function entries(report: CompareReport, direction: "lower-is-better" | "higher-is-better"): Entry[] {
  return report.metrics
    .filter((m) => m.direction === direction && m.candidateValues.length > 0)
    .map((m) => ({
      name: `${report.baseline.profile} ${m.metric}`,
      unit: m.unit,
      value: m.candidateMedian,
      range: `± ${spreadAround(m.candidateMedian, m.candidateValues)}`,
      extra: [
        `${m.candidateValues.length} runs from ${Math.min(...m.candidateValues)} to ${Math.max(...m.candidateValues)}; verdict ${m.verdict} against baseline ${report.baseline.createdAt}`,
        ...report.warnings.map((w) => `warning: ${w}`),
      ].join("\n"),
    }));
}

export function renderSmallerIsBetter(report: CompareReport): string {
  return `${JSON.stringify(entries(report, "lower-is-better"), null, 2)}\n`;
}

export function renderBiggerIsBetter(report: CompareReport): string {
  return `${JSON.stringify(entries(report, "higher-is-better"), null, 2)}\n`;
}
