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

export function capacityChart(r: CapacityResult): ChartSpec {
  const kind = capacityLatencyKind(r) ?? "latency";
  const steps = r.steps
    .filter((s) => s.latency[kind] !== undefined)
    .sort((a, b) => a.achievedPerSec - b.achievedPerSec);
  const at = (s: CapacityStep, stat: "p50Us" | "p99Us") => s.latency[kind]![stat];
  const series = (label: string, colour: string, pick: (s: CapacityStep) => number) => ({
    label,
    data: steps.map((s) => ({ x: Math.round(s.achievedPerSec), y: pick(s) / 1000 })),
    borderColor: colour,
    backgroundColor: colour,
    // Bad steps drawn as red crosses: the curve past the knee is not a rate to run at.
    pointStyle: steps.map((s) => (s.good ? "circle" : "crossRot")),
    pointBorderColor: steps.map((s) => (s.good ? colour : BAD)),
    pointRadius: steps.map((s) => (s.good ? 3 : 7)),
    pointBorderWidth: 2,
    borderWidth: 2,
  });
  const lines: NonNullable<ChartMarks["lines"]> = [];
  const knee = r.steps.find((s) => s.targetPerSec === r.maxGoodPerSec && s.good);
  if (knee) lines.push({ at: knee.achievedPerSec, label: `knee: ${r.maxGoodPerSec} msgs/s sustained` });
  const title = `Capacity: ${r.profile.name}`;
  const options = baseOptions(
    title,
    `${kind} latency per step (red crosses: steps that failed${r.settings.objectives.length ? ` ${r.settings.objectives.join(", ")}` : ""})`,
  );
  return {
    name: "capacity",
    title,
    config: {
      type: "line",
      data: {
        datasets: [
          series("p99", COLOURS.p99, (s) => at(s, "p99Us")),
          series("p50", COLOURS.p50, (s) => at(s, "p50Us")),
        ],
      },
      options: {
        ...options,
        plugins: {
          ...options.plugins,
          benchline: { latencyAxes: ["y"], countAxes: ["x"], lines },
        },
        scales: {
          x: { type: "linear", min: 0, title: axisTitle("achieved throughput (msgs/s)") },
          y: {
            type: "logarithmic",
            ...logBounds(steps.flatMap((s) => [at(s, "p50Us") / 1000, at(s, "p99Us") / 1000])),
            title: axisTitle(`${kind} latency (log scale)`),
          },
        },
      },
    },
  };
}
