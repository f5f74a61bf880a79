/**
 * Reports of `history check`: the table, the Markdown (step summary), and the CompareReport view that
 * lets JUnit, BMF and github-action-benchmark render a check as they render a compare (baseline: the
 * regime before the newest change point; candidate: the newest regime). Pure.
 */
import type { Verdict } from "../baseline/compare.js";
import { COMPARE_SCHEMA, type CompareReport } from "../baseline/report-model.js";
import type { RunEnv } from "../contract/env.js";
import type { CheckVerdict, HistoryCheckReport, MetricHistory } from "../history/check.js";
import { formatInterval } from "./compare-table.js";
import { formatMetric, formatPercent } from "./format-metric.js";

const icon: Record<CheckVerdict, string> = {
  regressed: "🔴 regressed",
  improved: "🟢 improved",
  "within noise": "⚪ within noise",
  "no change": "⚪ no change",
  "environment change": "🔵 environment change",
  "insufficient data": "⚠️ insufficient data",
};

/** The size of the newest change with its interval: "+23.1% [+18.0%, +29.5%]". */
export function changeText(m: MetricHistory): string {
  return m.newest ? `${formatPercent(m.newest.change)} ${formatInterval(m.newest.interval)}` : "-";
}

function since(m: MetricHistory): string {
  const c = m.changes.at(-1);
  if (!c) return "-";
  const who = `${c.time}, git ${c.gitSha?.slice(0, 12) ?? "unknown"}, server ${c.serverVersion ?? "unknown"}`;
  return c.environmentChange ? `${who}; ${c.environmentChange}` : who;
}

function rows(report: HistoryCheckReport): string[][] {
  return report.metrics.map((m) => {
    const last = m.regimes.at(-1);
    const before = m.regimes.at(-2);
    return [
      m.metric,
      String(m.points.length),
      String(m.changes.length),
      before ? formatMetric(m.metric, before.median) : "-",
      last ? formatMetric(m.metric, last.median) : "-",
      changeText(m),
      since(m),
      m.verdict,
    ];
  });
}

const HEAD = [
  "metric",
  "runs",
  "changes",
  "regime before",
  "newest regime",
  "change [95%]",
  "newest regime since",
  "verdict",
];

export function renderHistoryCheckTable(report: HistoryCheckReport): string {
  const all = [HEAD, ...rows(report)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const head = `history check ${report.profile}: ${report.entries} entries in ${report.store}${report.since ? ` since ${report.since}` : ""}`;
  return `${[head, line(HEAD), ...rows(report).map(line), report.passed ? "pass" : `fail: ${report.regressed.join(", ")}`].join("\n")}\n`;
}

export function renderHistoryCheckMarkdown(report: HistoryCheckReport): string {
  const lines = [
    `## benchline history check: ${report.profile} ${report.passed ? "✅ pass" : "❌ fail"}`,
    "",
    `${report.entries} entries in ${report.store}${report.since ? ` since ${report.since}` : ""}. Change points by E-divisive means (permutation test at 0.05); the newest regime is judged against the one before it, with a 95% bootstrap interval of the median's change.`,
    "",
    `| ${HEAD.join(" | ")} |`,
    `| ${HEAD.map(() => "---").join(" | ")} |`,
    ...report.metrics.map((m, i) => {
      const r = rows(report)[i]!;
      r[7] = icon[m.verdict];
      return `| ${r.join(" | ")} |`;
    }),
  ];
  return `${lines.join("\n")}\n`;
}

const compareVerdict: Record<CheckVerdict, Verdict> = {
  regressed: "regressed",
  improved: "improved",
  "within noise": "within noise",
  "no change": "no significant change",
  "environment change": "no significant change",
  "insufficient data": "insufficient data",
};

/** The check as a compare of the newest regime against the one before, for the CI formats. */
export function historyAsCompare(report: HistoryCheckReport): CompareReport {
  const env = { cpus: 0, clusterSize: 0 } as unknown as RunEnv;
  const first = report.metrics.flatMap((m) => m.points)[0];
  return {
    schema: COMPARE_SCHEMA,
    createdAt: report.createdAt,
    baseline: {
      file: `history ${report.store}`,
      profile: report.profile,
      profileHash: "",
      createdAt: first?.time ?? report.createdAt,
      runs: report.entries,
      env,
    },
    candidate: { source: "files", runs: report.entries, profileHash: "" },
    alpha: 0.05,
    metrics: report.metrics.map((m) => {
      const before = m.newest?.before ?? m.points.map((p) => p.value);
      const after = m.newest?.after ?? m.points.slice(-1).map((p) => p.value);
      const last = m.changes.at(-1);
      return {
        metric: m.metric,
        direction: m.direction,
        unit: m.unit,
        baselineValues: before,
        candidateValues: after,
        baselineMedian: m.regimes.at(-2)?.median ?? m.regimes.at(-1)?.median ?? Number.NaN,
        candidateMedian: m.regimes.at(-1)?.median ?? after[0] ?? Number.NaN,
        change: m.newest?.change ?? 0,
        rawPValue: last?.pValue ?? Number.NaN,
        pValue: last?.pValue ?? Number.NaN,
        interval: m.newest?.interval ?? { low: Number.NaN, high: Number.NaN },
        noise: m.noise,
        verdict: compareVerdict[m.verdict],
      };
    }),
    thresholds: [],
    warnings: report.metrics
      .filter((m) => m.verdict === "environment change")
      .map(
        (m) =>
          `${m.metric}: environment changed at ${m.changes.at(-1)!.time} (${m.changes.at(-1)!.environmentChange}); not judged`,
      ),
    regressed: report.regressed,
    passed: report.passed,
  };
}
