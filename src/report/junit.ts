/** JUnit XML of a compare: one testcase per metric and per threshold, a failure for each regression or breach. Pure. */
import type { CompareReport } from "../baseline/report-model.js";
import { formatInterval, formatP } from "./compare-table.js";
import { formatMetric, formatPercent } from "./format-metric.js";

const xml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");

export function renderJunit(report: CompareReport): string {
  const suite = `benchline compare ${report.baseline.profile}`;
  const cases: string[] = [];
  let failures = 0;
  for (const m of report.metrics) {
    const detail = `${m.verdict}: ${formatMetric(m.metric, m.baselineMedian)} -> ${formatMetric(m.metric, m.candidateMedian)} (${formatPercent(m.change)}, p (Holm) ${formatP(m.pValue)}, interval ${formatInterval(m.interval)}, noise ${(m.noise * 100).toFixed(1)}%)`;
    const open = `    <testcase classname="${xml(suite)}" name="${xml(m.metric)}">`;
    if (m.verdict === "regressed") {
      failures++;
      cases.push(`${open}\n      <failure message="${xml(detail)}" type="regression"/>\n    </testcase>`);
    } else {
      cases.push(`${open}\n      <system-out>${xml(detail)}</system-out>\n    </testcase>`);
    }
  }
  for (const c of report.thresholds) {
    const name = `threshold ${c.metric} ${c.text}`;
    const open = `    <testcase classname="${xml(suite)}" name="${xml(name)}">`;
    if (c.passed) cases.push(`${open}</testcase>`);
    else {
      failures++;
      cases.push(
        `${open}\n      <failure message="${xml(`breached: ${formatMetric(c.metric, c.actual)}`)}" type="threshold"/>\n    </testcase>`,
      );
    }
  }
  const tests = report.metrics.length + report.thresholds.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="benchline" tests="${tests}" failures="${failures}">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" timestamp="${xml(report.createdAt)}">`,
    ...cases,
    ...(report.warnings.length > 0
      ? [`    <system-out>${xml(report.warnings.map((w) => `warning: ${w}`).join("\n"))}</system-out>`]
      : []),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
