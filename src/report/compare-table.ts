/** The terminal table of a compare. Pure. */
import Table from "cli-table3";
import type { CompareReport } from "../baseline/report-model.js";
import { counted } from "../util/plural.js";
import { sideLabels } from "./compare-labels.js";
import { formatMetric, formatPercent } from "./format-metric.js";
import { machineControlSentence } from "./machine-control-line.js";
import { formatDetectRuns, formatResolution, resolutionNote, stopSentence } from "./resolution-lines.js";

export function formatInterval(i: { low: number; high: number }): string {
  return Number.isNaN(i.low) ? "-" : `[${formatPercent(i.low)}, ${formatPercent(i.high)}]`;
}

export function formatP(p: number): string {
  return Number.isNaN(p) ? "-" : p < 0.001 ? "<0.001" : p.toFixed(3);
}

/** The interval's confidence: 95%, or more at an early look of a run-until-resolved series. */
export function intervalLabel(report: CompareReport): string {
  const stop = report.resolution?.stop;
  return stop && stop.informationFraction < 1 ? "sequential" : "95%";
}

export function runsUnit(report: CompareReport): string {
  return report.ab ? "rounds" : "candidate runs";
}

/** Whether any metric was tested at the baseline's machine speed (the machine control). */
function adjustedAny(report: CompareReport): boolean {
  return report.metrics.some((m) => m.machineAdjusted);
}

/**
 * The change columns: with the machine control, the change as measured beside the one the verdict
 * read (at the baseline's machine speed), so the medians and the change read together.
 */
export function changeHeads(report: CompareReport): string[] {
  return adjustedAny(report) ? ["change measured", "at baseline speed"] : ["change"];
}

export function changeCells(report: CompareReport, m: CompareReport["metrics"][number]): string[] {
  if (!adjustedAny(report)) return [formatPercent(m.change)];
  return [formatPercent(m.change), m.machineAdjusted ? formatPercent(m.machineAdjusted.change) : "-"];
}

export function renderCompareTable(report: CompareReport): string {
  const side = sideLabels(report);
  const detect = report.resolution?.detect;
  const t = new Table({
    head: [
      "metric",
      side.baseline,
      side.candidate,
      ...changeHeads(report),
      "p (Holm)",
      `${intervalLabel(report)} interval`,
      "verdict",
      ...(report.resolution ? ["resolution"] : []),
      ...(detect !== undefined ? [`runs for ${formatPercent(detect).replace("+", "")}`] : []),
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const m of report.metrics) {
    t.push([
      m.metric,
      formatMetric(m.metric, m.baselineMedian),
      formatMetric(m.metric, m.candidateMedian),
      ...changeCells(report, m),
      formatP(m.pValue),
      formatInterval(m.interval),
      m.verdict === "regressed" ? "REGRESSED" : m.verdict,
      ...(report.resolution ? [formatResolution(m.resolution)] : []),
      ...(detect !== undefined ? [formatDetectRuns(m.resolution)] : []),
    ]);
  }
  const lines = [
    report.ab
      ? `${side.command} ${report.baseline.profile}: ${side.runs}; medians, alpha ${report.alpha}`
      : `benchline compare ${report.baseline.profile}: ${counted(report.baseline.runs, "baseline run")} vs ${counted(report.candidate.runs, "candidate run")}, medians, alpha ${report.alpha}`,
    t.toString(),
  ];
  if (report.resolution) lines.push(resolutionNote(report.resolution.power, detect, runsUnit(report)));
  if (report.resolution?.stop) lines.push(stopSentence(report.resolution.stop, runsUnit(report)));
  if (report.machineControl) lines.push(machineControlSentence(report.machineControl));
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
