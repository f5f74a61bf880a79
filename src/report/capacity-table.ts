/** The table of capacity steps and the answer. Pure. */
import Table from "cli-table3";
import type { CapacityResult, CapacityStep } from "../engine/capacity.js";
import { formatCount, formatUs } from "../util/units.js";
import { formatMetric } from "./format-metric.js";

/** The verdict column's width: the reasons wrap in it instead of running off the screen. */
const VERDICT_WIDTH = 60;

/** Why a step was bad, a reason each: an objective with its value in the metric's unit. */
export function stepReasons(s: CapacityStep): string[] {
  const failed = s.objectives.filter((c) => !c.passed);
  // The run's own reasons state an objective with its raw number; it is shown from the check instead.
  const others = s.reasons.filter((r) => !failed.some((c) => r.startsWith(`${c.metric} ${c.text} broken (`)));
  return [
    ...others,
    ...failed.map((c) => `${c.metric} was ${formatMetric(c.metric, c.actual)}, objective ${c.text}`),
  ];
}

export function renderCapacityTable(r: CapacityResult): string {
  // Every step times the same kind: it names both latency columns once, in the header.
  const kind = r.steps.find((s) => s.latencyKind)?.latencyKind;
  const t = new Table({
    head: [
      "step",
      "target/s",
      "achieved/s",
      kind ? `${kind} p50` : "p50",
      kind ? `${kind} p99` : "p99",
      "backlog",
      "verdict",
    ],
    style: { head: [], border: [], compact: true },
    colWidths: [null, null, null, null, null, null, VERDICT_WIDTH],
    wordWrap: true,
  });
  for (const s of r.steps) {
    t.push([
      `${s.index + 1} ${s.phase}`,
      formatCount(s.targetPerSec),
      formatCount(s.achievedPerSec),
      s.p50Us === undefined ? "-" : formatUs(s.p50Us),
      s.p99Us === undefined ? "-" : formatUs(s.p99Us),
      String(s.backlogGrowth),
      s.good ? "good" : `bad: ${stepReasons(s).join(";\n")}`,
    ]);
  }
  const head = `benchline capacity ${r.profile.name}${r.complete ? "" : ` (stopped early: ${r.abortReason ?? "interrupted"})`}`;
  return `${head}\n${t.toString()}\n${capacityAnswer(r)}\n`;
}

/** The one sentence a capacity search answers with. */
export function capacityAnswer(r: CapacityResult): string {
  const objectives = r.settings.objectives.length ? ` with ${r.settings.objectives.join(", ")}` : "";
  if (r.maxGoodPerSec === undefined)
    return `no rate tried was sustained${objectives}: not even the start rate of ${r.settings.startPerSec} msgs/s`;
  else if (r.firstBadPerSec === undefined)
    return `sustained the maximum tried, ${r.maxGoodPerSec} msgs/s${objectives}; raise --max to look further`;
  else if (r.steps.find((s) => s.targetPerSec === r.firstBadPerSec)?.generatorLimited)
    return `at least ${r.maxGoodPerSec} msgs/s sustained${objectives}; at ${r.firstBadPerSec} msgs/s benchline's load generator, not the deployment, fell behind: run it with more cores or from more hosts to look further`;
  // The generator fell behind too: the deployment's failure there may be the generator's lateness.
  const alsoBehind = r.steps
    .find((s) => s.targetPerSec === r.firstBadPerSec)
    ?.reasons.some((why) => why.startsWith("the load generator fell behind"));
  return `capacity: ${r.maxGoodPerSec} msgs/s sustained${objectives}; ${r.firstBadPerSec} msgs/s was not${alsoBehind ? " (benchline's load generator fell behind there too: the limit may be benchline's)" : ""}`;
}
