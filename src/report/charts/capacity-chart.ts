/** Capacity: p50 and p99 latency against achieved throughput, a point a step, the knee marked. */
import type { CapacityResult, CapacityStep } from "../../engine/capacity.js";
import { axisTitle, baseOptions, type ChartMarks, type ChartSpec, COLOURS, logBounds } from "./spec.js";

const BAD = "#d62728";

/**
 * The latency kind to draw: the one the objectives judge (e.g. e2e for "e2e.p99<50ms"), else the step's
 * main kind (pubAck, request or e2e).
 */
export function capacityLatencyKind(r: CapacityResult): string | undefined {
  const judged = r.settings.objectives
    .map((o) => o.split(".")[0]!)
    .find((kind) => r.steps.some((s) => s.latency[kind]));
  return judged ?? r.steps.find((s) => s.latencyKind)?.latencyKind;
}

/** The objectives on a statistic drawn here (e.g. pubAck.p99 when the chart shows pubAck), by series. */
function drawnObjectives(r: CapacityResult, kind: string) {
  const checks = r.steps[0]?.objectives ?? [];
  return (["p50", "p99"] as const).flatMap((stat) =>
    checks
      .filter((c) => c.metric === `${kind}.${stat}`)
      .map((c) => ({ stat, metric: c.metric, text: c.text, limitUs: c.limit })),
  );
}

export function capacityChart(r: CapacityResult): ChartSpec {
  const kind = capacityLatencyKind(r) ?? "latency";
  const steps = r.steps
    .filter((s) => s.latency[kind] !== undefined)
    .sort((a, b) => a.achievedPerSec - b.achievedPerSec);
  const at = (s: CapacityStep, stat: "p50Us" | "p99Us") => s.latency[kind]![stat];
  // A cross where this figure broke its objective; a ring where the step was bad for another reason
  // (rate not reached, consumers or generator behind, another objective), so p50 is not crossed for p99.
  const broke = (s: CapacityStep, stat: "p50" | "p99") =>
    s.objectives.some((c) => !c.passed && c.metric === `${kind}.${stat}`);
  const series = (stat: "p50" | "p99", colour: string) => ({
    label: stat,
    data: steps.map((s) => ({ x: Math.round(s.achievedPerSec), y: at(s, `${stat}Us`) / 1000 })),
    borderColor: colour,
    backgroundColor: colour,
    pointStyle: steps.map((s) => (s.good ? "circle" : broke(s, stat) ? "crossRot" : "circle")),
    pointBorderColor: steps.map((s) => (s.good ? colour : BAD)),
    pointBackgroundColor: steps.map((s) => (s.good ? colour : "#ffffff")),
    pointRadius: steps.map((s) => (s.good ? 3 : broke(s, stat) ? 7 : 5)),
    pointBorderWidth: 2,
    borderWidth: 2,
  });
  const lines: NonNullable<ChartMarks["lines"]> = [];
  const knee = r.steps.find((s) => s.targetPerSec === r.maxGoodPerSec && s.good);
  if (knee) lines.push({ at: knee.achievedPerSec, label: `knee: ${r.maxGoodPerSec} msgs/s sustained` });
  const objectives = drawnObjectives(r, kind);
  const levels: NonNullable<ChartMarks["levels"]> = objectives.map((o) => ({
    at: o.limitUs / 1000,
    label: `objective: ${o.metric} ${o.text}`,
  }));
  const title = `Capacity: ${r.profile.name}`;
  const options = baseOptions(
    title,
    `${kind} latency per step; red crosses: a figure over its objective; red rings: a step bad for another reason (see the table)`,
  );
  return {
    name: "capacity",
    title,
    config: {
      type: "line",
      data: { datasets: [series("p99", COLOURS.p99), series("p50", COLOURS.p50)] },
      options: {
        ...options,
        plugins: {
          ...options.plugins,
          benchline: { latencyAxes: ["y"], countAxes: ["x"], lines, levels },
        },
        scales: {
          x: { type: "linear", min: 0, title: axisTitle("achieved throughput (msgs/s)") },
          y: {
            type: "logarithmic",
            ...logBounds([
              ...steps.flatMap((s) => [at(s, "p50Us") / 1000, at(s, "p99Us") / 1000]),
              ...levels.map((l) => l.at),
            ]),
            title: axisTitle(`${kind} latency (log scale)`),
          },
        },
      },
    },
  };
}
