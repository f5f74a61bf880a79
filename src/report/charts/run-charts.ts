/** The charts of one run: latency over time per kind, throughput over time, percentile distribution. */
import type { IntervalPoint, RunResult } from "../../engine/result.js";
import { percentileChart } from "./percentile-chart.js";
import { axisTitle, baseOptions, type ChartMarks, type ChartSpec, COLOURS, logBounds } from "./spec.js";

/** Shaded warmup and drain, so nobody reads the discarded seconds as the result. */
export function phaseBands(intervals: IntervalPoint[]): NonNullable<ChartMarks["bands"]> {
  const bands: NonNullable<ChartMarks["bands"]> = [];
  const warmup = intervals.filter((p) => p.phase === "warmup");
  if (warmup.length > 0)
    bands.push({ from: 0, to: warmup[warmup.length - 1]!.t, label: "warmup (discarded)" });
  const drain = intervals.filter((p) => p.phase === "drain");
  if (drain.length > 0) bands.push({ from: drain[0]!.t - 1, to: drain[drain.length - 1]!.t, label: "drain" });
  return bands;
}

/**
 * Every fault that fired, shaded red over the time it was on (an instant, such as a stepdown, as a
 * sliver), so a stall in the series lines up with its cause.
 */
export function faultBands(result: RunResult): NonNullable<ChartMarks["bands"]> {
  const offsetS = result.profile.warmupMs / 1000;
  return (result.faults ?? []).flatMap((f) =>
    f.atS === undefined
      ? []
      : [
          {
            from: offsetS + f.atS,
            to: offsetS + f.atS + Math.max(f.forS ?? 0, 0.1),
            label: f.name,
            color: "rgba(214,39,40,0.15)",
          },
        ],
  );
}

/** The shaded stretches of a run's over-time charts. */
function runBands(result: RunResult, points: IntervalPoint[]): NonNullable<ChartMarks["bands"]> {
  return [...phaseBands(points), ...faultBands(result)];
}

/** Kinds that have per-second figures in this run, in the result's order. */
export function kindsOverTime(result: RunResult): string[] {
  return Object.keys(result.latency).filter((kind) =>
    result.intervals.some((p) => p[`${kind}P99Us`] !== undefined),
  );
}

export function latencyOverTimeChart(result: RunResult, kind: string): ChartSpec {
  const series = (stat: "P50" | "P99" | "Max") =>
    result.intervals
      .filter((p) => p[`${kind}${stat}Us`] !== undefined)
      .map((p) => ({ x: p.t, y: p[`${kind}${stat}Us`]! / 1000 }));
  const datasets = [
    { label: "max", data: series("Max"), borderColor: COLOURS.max, backgroundColor: COLOURS.max },
    { label: "p99", data: series("P99"), borderColor: COLOURS.p99, backgroundColor: COLOURS.p99 },
    { label: "p50", data: series("P50"), borderColor: COLOURS.p50, backgroundColor: COLOURS.p50 },
  ].map((d) => ({ ...d, pointRadius: 1.5, borderWidth: 2 }));
  const title = `${kind} latency over time: ${result.profile.name}`;
  const options = baseOptions(title, "per second, all threads merged");
  return {
    name: `latency-${kind}`,
    title,
    config: {
      type: "line",
      data: { datasets },
      options: {
        ...options,
        plugins: {
          ...options.plugins,
          benchline: { latencyAxes: ["y"], bands: runBands(result, result.intervals) },
        },
        scales: {
          x: { type: "linear", min: 0, title: axisTitle("time since start (s)") },
          y: {
            type: "logarithmic",
            ...logBounds(datasets.flatMap((d) => d.data.map((p) => p.y))),
            title: axisTitle(`${kind} latency (log scale)`),
          },
        },
      },
    },
  };
}

export function throughputOverTimeChart(result: RunResult): ChartSpec {
  const points = result.intervals;
  const errors = points.reduce((n, p) => n + p.errors, 0);
  const title = `Throughput over time: ${result.profile.name}`;
  const options = baseOptions(title, "messages per second, all threads");
  const line = (label: string, colour: string, pick: (p: IntervalPoint) => number) => ({
    type: "line" as const,
    label,
    data: points.map((p) => ({ x: p.t, y: pick(p) })),
    borderColor: colour,
    backgroundColor: colour,
    pointRadius: 1.5,
    borderWidth: 2,
    yAxisID: "y",
  });
  return {
    name: "throughput",
    title,
    config: {
      type: "line",
      data: {
        datasets: [
          line("published", COLOURS.published, (p) => p.published),
          line("consumed", COLOURS.consumed, (p) => p.consumed),
          {
            type: "bar" as const,
            label: `errors (${errors} in all)`,
            data: points.map((p) => ({ x: p.t, y: p.errors })),
            borderColor: COLOURS.errors,
            backgroundColor: COLOURS.errors,
            yAxisID: "errors",
          },
        ],
      },
      options: {
        ...options,
        plugins: {
          ...options.plugins,
          benchline: { countAxes: ["y", "errors"], bands: runBands(result, points) },
        },
        scales: {
          x: { type: "linear", min: 0, title: axisTitle("time since start (s)") },
          y: { type: "linear", min: 0, title: axisTitle("msgs/s") },
          errors: {
            type: "linear",
            position: "right",
            min: 0,
            suggestedMax: 1,
            ticks: { precision: 0 },
            grid: { drawOnChartArea: false },
            title: axisTitle("errors/s"),
          },
        },
      },
    },
  };
}

/** Every chart a run produces, in reading order. */
export function runCharts(result: RunResult): ChartSpec[] {
  const charts = [throughputOverTimeChart(result)];
  for (const kind of kindsOverTime(result)) charts.push(latencyOverTimeChart(result, kind));
  const kinds = Object.entries(result.latency).filter(([, b]) => b && b.count > 0);
  if (kinds.length > 0) {
    charts.push(
      percentileChart(
        "percentiles",
        `Latency by percentile: ${result.profile.name}`,
        kinds.map(([kind, block]) => ({ label: kind, hdr: block!.hdr })),
      ),
    );
  }
  return charts;
}
