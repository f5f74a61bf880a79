/** The Markdown of a baseline: its runs' medians and spreads per metric. Pure. */
import type { Baseline } from "../baseline/format.js";
import { summarizeBaseline } from "../baseline/summary.js";
import { seriesLateSendWarnings } from "../engine/warnings.js";
import { counted } from "../util/plural.js";
import { formatMetric } from "./format-metric.js";

export function renderBaselineMarkdown(b: Baseline): string {
  const warnings = seriesLateSendWarnings(b.runs, "run");
  return [
    `# benchline baseline: ${b.profile.name}`,
    "",
    `${counted(b.runs.length, "run")} recorded ${b.createdAt} by benchline ${b.benchline}; profile hash ${b.profileHash}.`,
    "",
    "| metric | median | min | max | interquartile range |",
    "| --- | ---: | ---: | ---: | --- |",
    ...summarizeBaseline(b).map((s) => {
      const f = (v: number) => formatMetric(s.metric, v);
      return `| ${s.metric} | ${f(s.median)} | ${f(s.min)} | ${f(s.max)} | ${f(s.iqrLow)} .. ${f(s.iqrHigh)} |`;
    }),
    ...(warnings.length > 0 ? ["", "**Warnings**", "", ...warnings.map((w) => `- ${w}`)] : []),
    "",
  ].join("\n");
}
