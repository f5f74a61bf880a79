/** A compare's pictures: per latency kind, the baseline's and the candidate's percentile curves on one chart. */
import type { CompareReport } from "../../baseline/report-model.js";
import { sideLabels } from "../compare-labels.js";
import { percentileChart } from "./percentile-chart.js";
import { type ChartSpec, COLOURS } from "./spec.js";

export function compareCharts(report: CompareReport): ChartSpec[] {
  const side = sideLabels(report);
  return (report.distributions ?? []).map((d) =>
    percentileChart(
      `percentiles-${d.kind}`,
      `${d.kind} latency by percentile: ${side.baseline} vs ${side.candidate} (${report.baseline.profile})`,
      [
        {
          label: `${side.baseline}, ${report.baseline.runs} runs`,
          hdr: d.baselineHdr,
          colour: COLOURS.baseline,
          dashed: true,
        },
        {
          label: `${side.candidate}, ${report.candidate.runs} runs`,
          hdr: d.candidateHdr,
          colour: COLOURS.candidate,
        },
      ],
      `${side.baseline}: ${side.baselineTarget}; ${side.candidate}: ${side.candidateTarget}`,
    ),
  );
}
