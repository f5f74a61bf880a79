/** The SLO proposals for people: a terminal table, Markdown, JSON. Pure. */
import Table from "cli-table3";
import { formatMetric } from "../report/format-metric.js";
import { GRID, type SloProposal, type SloSet } from "./derive.js";

function objectiveText(metric: string, op: string, value: number): string {
  return `${op} ${formatMetric(metric, value)}`;
}

/** 28, 30.44 (1M), 365.2 (1Y). */
const windowDays = (windowS: number) => Number((windowS / 86_400).toPrecision(4));

/** How the objectives were derived, once under the table rather than a long column on every row. */
export function derivationNote(set: SloSet): string[] {
  const lines = ["how each objective is derived, from the per-run values:"];
  const first = (kind: SloProposal["kind"]) => set.proposals.find((p) => p.kind === kind);
  const latency = first("latency");
  const throughput = first("throughput");
  if (latency)
    lines.push(
      `  latency: the 95% upper bound of the mean over ${latency.derivation.runs} runs x headroom ${latency.derivation.headroom},`,
      `    rounded up to ${GRID.slice(0, -1).join(", ")} x 10^n`,
    );
  if (throughput)
    lines.push(
      `  throughput: the 95% lower bound of the mean over ${throughput.derivation.runs} runs / headroom ${throughput.derivation.headroom},`,
      "    rounded down likewise",
    );
  return lines;
}

export function renderSloTable(set: SloSet): string {
  const t = new Table({
    head: ["metric", "objective", "runs mean", "95% bound"],
    style: { head: [], border: [], compact: true },
  });
  for (const p of set.proposals) {
    t.push([
      p.metric,
      objectiveText(p.metric, p.op, p.objective),
      formatMetric(p.metric, p.derivation.mean),
      formatMetric(p.metric, p.derivation.bound),
    ]);
  }
  const b = set.errorBudget;
  return [
    `SLO proposals for ${set.source.profile}, observational: derived from ${set.source.runs} runs in ${set.source.file} (recorded ${set.source.createdAt})`,
    t.toString(),
    ...derivationNote(set),
    `error budget: ${b.targetPercent}% over ${windowDays(b.windowS)} days allows ${b.allowedBadEvents} failed publishes,`,
    `  ${(100 - b.targetPercent).toPrecision(3)}% of ${Math.round(b.eventsInWindow)} publishes (${b.ratePerSec} msgs/s, the baseline's median rate, for ${b.windowS} s);`,
    `  the baseline's runs had ${(b.observedBadFraction * 100).toFixed(4)}% failed`,
    "",
  ].join("\n");
}

export function renderSloMarkdown(set: SloSet): string {
  const b = set.errorBudget;
  return [
    `## SLO proposals: ${set.source.profile}`,
    "",
    `Observational: derived from ${set.source.runs} runs in \`${set.source.file}\` (recorded ${set.source.createdAt}).`,
    "",
    "| metric | objective | runs mean | 95% bound | derivation |",
    "| --- | --- | ---: | ---: | --- |",
    ...set.proposals.map(
      (p) =>
        `| ${p.metric} | ${objectiveText(p.metric, p.op, p.objective)} | ${formatMetric(p.metric, p.derivation.mean)} | ${formatMetric(p.metric, p.derivation.bound)} | ${p.derivation.text} |`,
    ),
    "",
    `**Error budget**: ${b.targetPercent}% over ${windowDays(b.windowS)} days allows ${b.allowedBadEvents} failed publishes (${b.text}). The baseline's runs had ${(b.observedBadFraction * 100).toFixed(4)}% bad.`,
    "",
  ].join("\n");
}

export function renderSloJson(set: SloSet): string {
  return `${JSON.stringify(set, null, 2)}\n`;
}
