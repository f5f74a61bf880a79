/** Bencher Metric Format (BMF) JSON of a compare's candidate runs: median, with the runs' min and max. Pure. */
import type { CompareReport } from "../baseline/report-model.js";

export function renderBencher(report: CompareReport): string {
  const measures: Record<string, { value: number; lower_value: number; upper_value: number }> = {};
  for (const m of report.metrics) {
    if (m.candidateValues.length === 0) continue;
    measures[m.metric] = {
      value: m.candidateMedian,
      lower_value: Math.min(...m.candidateValues),
      upper_value: Math.max(...m.candidateValues),
    };
  }
  return `${JSON.stringify({ [report.baseline.profile]: measures }, null, 2)}\n`;
}
