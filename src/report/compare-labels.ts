/** What a compare's two sides are called in its reports: baseline and candidate, or A and B for `benchline ab`. */
import type { CompareReport } from "../baseline/report-model.js";

export interface SideLabels {
  /** "benchline compare" or "benchline ab". */
  command: string;
  baseline: string;
  candidate: string;
  /** One sentence: what was run against what. */
  runs: string;
}

export function sideLabels(report: CompareReport): SideLabels {
  const ab = report.ab;
  if (ab)
    return {
      command: "benchline ab",
      baseline: "A",
      candidate: "B",
      runs: `${report.candidate.runs} runs of B (${ab.b}) against ${report.baseline.runs} of A (${ab.a}), interleaved ${ab.order}`,
    };
  return {
    command: "benchline compare",
    baseline: "baseline",
    candidate: "candidate",
    runs: `${report.candidate.runs} candidate runs against ${report.baseline.runs} baseline runs (recorded ${report.baseline.createdAt})`,
  };
}
