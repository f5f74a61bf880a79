/** The Markdown of a capacity search: the answer, then every step. Pure. */
import type { CapacityResult } from "../engine/capacity.js";
import { formatCount, formatUs } from "../util/units.js";
import { capacityAnswer, stepReasons } from "./capacity-table.js";

const escapeCell = (text: string) => text.replace(/\|/g, "\\|");

export function renderCapacityMarkdown(r: CapacityResult): string {
  return [
    `# benchline capacity: ${r.profile.name}`,
    "",
    `${r.complete ? "" : `**Stopped early**: ${r.abortReason ?? "interrupted"}. `}**${capacityAnswer(r)}.**`,
    "",
    `Steps of ${r.settings.stepDurationS} s from ${r.settings.startPerSec} up to ${r.settings.maxPerSec} msgs/s, bisected to ${r.settings.precision * 100}%.`,
    "",
    "| step | target/s | achieved/s | p50 | p99 | backlog | verdict |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ...r.steps.map(
      (s) =>
        `| ${s.index + 1} ${s.phase} | ${formatCount(s.targetPerSec)} | ${formatCount(s.achievedPerSec)} | ${s.p50Us === undefined ? "-" : `${formatUs(s.p50Us)} ${s.latencyKind}`} | ${s.p99Us === undefined ? "-" : formatUs(s.p99Us)} | ${s.backlogGrowth} | ${s.good ? "good" : `bad: ${escapeCell(stepReasons(s).join("; "))}`} |`,
    ),
    "",
  ].join("\n");
}
