/**
 * JUnit XML of a compare: one testcase per metric and per threshold, a failure for each regression or
 * breach, a skip for each metric with too few runs to decide. Pure.
 *
 * Written to validate against both schemas JUnit readers hold files to: the Jenkins xUnit plugin's
 * junit-10.xsd (which skips a file that fails it) and Maven Surefire's surefire-test-report.xsd. Hence a
 * single `<testsuite>` root (Surefire has no `<testsuites>`), `errors` and `skipped` on it, `time` on
 * every testcase, and warnings as properties and testcase output, never as a suite-level `<system-out>`
 * (Surefire allows only properties and testcases in a suite). `errors` is always 0: a compare whose runs
 * could not be made exits 3 before any report exists.
 */
import type { CompareReport } from "../baseline/report-model.js";
import { sideLabels } from "./compare-labels.js";
import { formatInterval, formatP } from "./compare-table.js";
import { formatMetric, formatPercent } from "./format-metric.js";
import { renderSuite, xml } from "./junit-suite.js";
import { machineControlSentence } from "./machine-control-line.js";
import { formatResolution, stopSentence } from "./resolution-lines.js";

type Outcome = { failure: { type: string; message: string } } | { skipped: string } | { passed: string };

function testcase(suite: string, name: string, outcome: Outcome, warnings: string[]): string {
  const body: string[] = [];
  const out = [...warnings.map((w) => `warning: ${w}`)];
  if ("failure" in outcome)
    body.push(`<failure message="${xml(outcome.failure.message)}" type="${outcome.failure.type}"/>`);
  else if ("skipped" in outcome) body.push(`<skipped message="${xml(outcome.skipped)}"/>`);
  else out.unshift(outcome.passed);
  if (out.length > 0) body.push(`<system-out>${xml(out.join("\n"))}</system-out>`);
  // A verdict takes no time of its own worth reporting (the runs it judges took the time, before it).
  const open = `  <testcase classname="${xml(suite)}" name="${xml(name)}" time="0">`;
  return [open, ...body.map((b) => `    ${b}`), "  </testcase>"].join("\n");
}

export function renderJunit(report: CompareReport): string {
  const suite = `${sideLabels(report).command} ${report.baseline.profile}`;
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const m of report.metrics) {
    const detail = `${m.verdict}: ${formatMetric(m.metric, m.baselineMedian)} -> ${formatMetric(m.metric, m.candidateMedian)} (${formatPercent(m.change)}, p (Holm) ${formatP(m.pValue)}, interval ${formatInterval(m.interval)}, noise ${(m.noise * 100).toFixed(1)}%${m.resolution ? `, resolution ${formatResolution(m.resolution)}` : ""})`;
    let outcome: Outcome;
    if (m.verdict === "regressed") {
      failures++;
      outcome = { failure: { type: "regression", message: detail } };
    } else if (m.verdict === "insufficient data") {
      skipped++;
      outcome = { skipped: detail };
    } else outcome = { passed: detail };
    cases.push(testcase(suite, m.metric, outcome, report.warnings));
  }
  for (const c of report.thresholds) {
    const actual = formatMetric(c.metric, c.actual);
    if (!c.passed) failures++;
    const outcome: Outcome = c.passed
      ? { passed: `passed: ${actual}` }
      : { failure: { type: "threshold", message: `breached: ${actual}` } };
    cases.push(testcase(suite, `threshold ${c.metric} ${c.text}`, outcome, report.warnings));
  }
  const properties = [
    ["baseline", report.baseline.file],
    ["baselineCreatedAt", report.baseline.createdAt],
    ["baselineRuns", String(report.baseline.runs)],
    ["candidateRuns", String(report.candidate.runs)],
    ["alpha", String(report.alpha)],
    ...(report.resolution ? [["power", String(report.resolution.power)]] : []),
    ...(report.resolution?.detect !== undefined ? [["detect", String(report.resolution.detect)]] : []),
    ...(report.resolution?.stop
      ? [
          ["resolution.stop", stopSentence(report.resolution.stop)],
          ["resolution.target", String(report.resolution.stop.target)],
          ["resolution.reached", String(report.resolution.stop.reached ?? "none")],
        ]
      : []),
    ...report.metrics.flatMap((m) =>
      m.resolution
        ? [
            [`resolution.${m.metric}`, formatResolution(m.resolution)],
            ...(m.resolution.detect
              ? [[`runsToDetect.${m.metric}`, String(m.resolution.detect.runs ?? "> 1000")]]
              : []),
          ]
        : [],
    ),
    ...(report.machineControl ? [["machineControl", machineControlSentence(report.machineControl)]] : []),
    ...report.warnings.map((w, i) => [`warning.${i + 1}`, w]),
  ] as Array<[string, string]>;
  return renderSuite({
    name: suite,
    timestamp: report.createdAt,
    tests: report.metrics.length + report.thresholds.length,
    failures,
    skipped,
    properties,
    cases,
  });
}
