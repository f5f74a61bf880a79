/**
 * github-action-benchmark input of a compare's candidate runs: `customSmallerIsBetter` for latency and
 * error metrics, `customBiggerIsBetter` for throughput. Pure.
 */
import type { CompareReport } from "../baseline/report-model.js";

interface Entry {
  name: string;
  unit: string;
  value: number;
  range: string;
  extra: string;
}

function entries(report: CompareReport, direction: "lower-is-better" | "higher-is-better"): Entry[] {
  return report.metrics
    .filter((m) => m.direction === direction && m.candidateValues.length > 0)
    .map((m) => ({
      name: `${report.baseline.profile} ${m.metric}`,
      unit: m.unit,
      value: m.candidateMedian,
      range: `${Math.min(...m.candidateValues)}..${Math.max(...m.candidateValues)}`,
      extra: [
        `${m.candidateValues.length} runs; verdict ${m.verdict} against baseline ${report.baseline.createdAt}`,
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
