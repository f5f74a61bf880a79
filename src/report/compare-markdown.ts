/** The Markdown of a compare, for $GITHUB_STEP_SUMMARY and PR comments. Pure; kept under 1 MiB. */
import type { CompareReport } from "../baseline/report-model.js";
import { sideLabels } from "./compare-labels.js";
import {
  changeCells,
  changeHeads,
  formatInterval,
  formatP,
  intervalLabel,
  runsUnit,
} from "./compare-table.js";
import { formatMetric, formatPercent } from "./format-metric.js";
import { machineControlSentence } from "./machine-control-line.js";
import { formatDetectRuns, formatResolution, resolutionNote, stopSentence } from "./resolution-lines.js";

/** GitHub refuses a step summary above 1 MiB. */
export const MARKDOWN_LIMIT_BYTES = 1024 * 1024;

const icon: Record<string, string> = {
  regressed: "🔴 regressed",
  improved: "🟢 improved",
  "within noise": "⚪ within noise",
  "no significant change": "⚪ no significant change",
  "insufficient data": "⚠️ insufficient data",
};

export function renderCompareMarkdown(report: CompareReport): string {
  const side = sideLabels(report);
  const res = report.resolution;
  const extraHead = [
    ...(res ? ["resolution"] : []),
    ...(res?.detect !== undefined ? [`runs for ${formatPercent(res.detect).replace("+", "")}`] : []),
  ];
  const extraCells = (m: CompareReport["metrics"][number]) =>
    [
      ...(res ? [formatResolution(m.resolution)] : []),
      ...(res?.detect !== undefined ? [formatDetectRuns(m.resolution)] : []),
    ]
      .map((c) => ` ${c} |`)
      .join("");
  const changes = changeHeads(report);
  const lines = [
    `## ${side.command}: ${report.baseline.profile} ${report.passed ? "✅ pass" : "❌ fail"}`,
    "",
    `**${side.versus}**`,
    "",
    `${side.runs}. ` +
      `Mann-Whitney U at alpha ${report.alpha}, Holm-adjusted across the metrics; interval: 95% Hodges-Lehmann interval of the change (the one the test inverts; a bootstrap of medians for metrics with values at 0).` +
      (report.machineControl?.applied
        ? " Latency up to p95 at the baseline's machine speed: the test and the interval held over every slope the machine control leaves plausible."
        : ""),
    "",
    `| metric | ${side.baseline} | ${side.candidate} |${changes.map((h) => ` ${h} |`).join("")} p (Holm) | ${intervalLabel(report)} interval | verdict |${extraHead.map((h) => ` ${h} |`).join("")}`,
    `| --- | ---: | ---: |${changes.map(() => " ---: |").join("")} ---: | --- | --- |${extraHead.map(() => " ---: |").join("")}`,
    ...report.metrics.map(
      (m) =>
        `| ${m.metric} | ${formatMetric(m.metric, m.baselineMedian)} | ${formatMetric(m.metric, m.candidateMedian)} |${changeCells(
          report,
          m,
        )
          .map((c) => ` ${c} |`)
          .join(
            "",
          )} ${formatP(m.pValue)} | ${formatInterval(m.interval)} | ${icon[m.verdict]} |${extraCells(m)}`,
    ),
  ];
  if (res) lines.push("", resolutionNote(res.power, res.detect, runsUnit(report)));
  if (res?.stop) lines.push("", `**${stopSentence(res.stop, runsUnit(report))}**`);
  if (report.machineControl) lines.push("", machineControlSentence(report.machineControl));
  if (report.thresholds.length > 0) {
    lines.push("", "| threshold | limit | candidate | verdict |", "| --- | --- | ---: | --- |");
    for (const c of report.thresholds) {
      lines.push(
        `| ${c.metric} | ${c.text} | ${formatMetric(c.metric, c.actual)} | ${c.passed ? "pass" : "**breached**"} |`,
      );
    }
  }
  if (report.warnings.length > 0) lines.push("", "**Warnings**", "", ...report.warnings.map((w) => `- ${w}`));
  let text = `${lines.join("\n")}\n`;
  if (Buffer.byteLength(text) > MARKDOWN_LIMIT_BYTES) {
    const note = "\n_(truncated to fit GitHub's 1 MiB step summary; see compare.md in the artifacts)_\n";
    text =
      Buffer.from(text)
        .subarray(0, MARKDOWN_LIMIT_BYTES - Buffer.byteLength(note))
        .toString("utf8")
        .replace(/\uFFFD$/, "") + note;
  }
  return text;
}
