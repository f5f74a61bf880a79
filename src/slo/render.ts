/** The SLO proposals for people: a terminal table, Markdown, JSON. Pure. */
import Table from "cli-table3";
import { formatMetric } from "../report/format-metric.js";
import type { SloSet } from "./derive.js";

function objectiveText(metric: string, op: string, value: number): string {
  return `${op} ${formatMetric(metric, value)}`;
}

/** 28, 30.44 (1M), 365.2 (1Y). */
const windowDays = (windowS: number) => Number((windowS / 86_400).toPrecision(4));

export function renderSloTable(set: SloSet): string {
  const t = new Table({
    head: ["metric", "objective", "runs mean", "95% bound", "derivation"],
    style: { head: [], border: [], compact: true },
  });
  for (const p of set.proposals) {
    t.push([
      p.metric,
      objectiveText(p.metric, p.op, p.objective),
      formatMetric(p.metric, p.derivation.mean),
      formatMetric(p.metric, p.derivation.bound),
      p.derivation.text,
    ]);
  }
  const b = set.errorBudget;
  return [
    `SLO proposals for ${set.source.profile}, observational: derived from ${set.source.runs} runs in ${set.source.file} (recorded ${set.source.createdAt})`,
    t.toString(),
    `error budget: ${b.targetPercent}% over ${windowDays(b.windowS)} days -> ${b.allowedBadEvents} failed publishes allowed (${b.text}); the baseline's runs had ${(b.observedBadFraction * 100).toFixed(4)}% bad`,
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
