/** The terminal table of a compare. Pure. */
import Table from "cli-table3";
import type { CompareReport } from "../baseline/report-model.js";
import { sideLabels } from "./compare-labels.js";
import { formatMetric, formatPercent } from "./format-metric.js";

export function formatInterval(i: { low: number; high: number }): string {
  return Number.isNaN(i.low) ? "-" : `[${formatPercent(i.low)}, ${formatPercent(i.high)}]`;
}

export function formatP(p: number): string {
  return Number.isNaN(p) ? "-" : p < 0.001 ? "<0.001" : p.toFixed(3);
}

export function renderCompareTable(report: CompareReport): string {
  const side = sideLabels(report);
  const t = new Table({
    head: ["metric", side.baseline, side.candidate, "change", "p (Holm)", "95% interval", "verdict"],
    style: { head: [], border: [], compact: true },
  });
  for (const m of report.metrics) {
    t.push([
      m.metric,
      formatMetric(m.metric, m.baselineMedian),
      formatMetric(m.metric, m.candidateMedian),
      formatPercent(m.change),
      formatP(m.pValue),
      formatInterval(m.interval),
      m.verdict === "regressed" ? "REGRESSED" : m.verdict,
    ]);
  }
  const lines = [
    report.ab
      ? `${side.command} ${report.baseline.profile}: ${side.runs}; medians, alpha ${report.alpha}`
      : `benchline compare ${report.baseline.profile}: ${report.baseline.runs} baseline runs vs ${report.candidate.runs} candidate runs, medians, alpha ${report.alpha}`,
    t.toString(),
  ];
  for (const c of report.thresholds) {
    lines.push(
      `threshold ${c.metric} ${c.text}: ${formatMetric(c.metric, c.actual)} ${c.passed ? "pass" : "BREACHED"}`,
    );
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  lines.push(
    report.passed
      ? "verdict: pass"
      : `verdict: FAIL (${[...report.regressed.map((r) => `${r} regressed`), ...report.thresholds.filter((c) => !c.passed).map((c) => `${c.metric} breached`)].join(", ")})`,
  );
  return `${lines.join("\n")}\n`;
}
