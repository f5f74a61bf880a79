/** The charts of one run: latency over time per kind, throughput over time, percentile distribution. */
import type { LatencyKind } from "../../engine/protocol.js";
import type { IntervalPoint, RunResult } from "../../engine/result.js";
import { wholeLoad } from "../../profile/profile.js";
import { percentileChart } from "./percentile-chart.js";
import { axisTitle, baseOptions, type ChartMarks, type ChartSpec, COLOURS, logBounds } from "./spec.js";

/** The time base of every over-time chart, the table and `slo --tests`: DESIGN.md, Faults. */
export const TIME_AXIS = "seconds from the start of the measured phase (warmup before 0)";

/** Where a per-second point lies on that base: its second [from, to), drawn at `mid`. */
export function secondOf(result: RunResult, p: IntervalPoint): { from: number; to: number; mid: number } {
  const to = p.t - result.profile.warmupMs / 1000;
  return { from: to - 1, to, mid: to - 0.5 };
}

/** Shaded warmup and drain, so nobody reads the discarded seconds as the result. */
export function phaseBands(result: RunResult): NonNullable<ChartMarks["bands"]> {
  const bands: NonNullable<ChartMarks["bands"]> = [];
  const span = (phase: IntervalPoint["phase"]) => {
    const seconds = result.intervals.filter((p) => p.phase === phase).map((p) => secondOf(result, p));
    return seconds.length > 0 ? { from: seconds[0]!.from, to: seconds[seconds.length - 1]!.to } : undefined;
  };
  const warmup = span("warmup");
  if (warmup) bands.push({ ...warmup, label: "warmup (discarded)" });
  const drain = span("drain");
  if (drain) bands.push({ ...drain, label: "drain" });
  return bands;
}

/**
 * Every fault that fired, shaded red over the seconds it was on (an instant, such as a stepdown, as a
 * sliver), so a stall in the series lines up with its cause. Its `atS` is on the charts' time base.
 */
export function faultBands(result: RunResult): NonNullable<ChartMarks["bands"]> {
  return (result.faults ?? []).flatMap((f) =>
    f.atS === undefined
      ? []
      : [
          {
            from: f.atS,
            to: f.atS + Math.max(f.forS ?? 0, 0.1),
            label: f.name,
            color: "rgba(214,39,40,0.15)",
          },
        ],
  );
}

/** The shaded stretches of a run's over-time charts. */
function runBands(result: RunResult): NonNullable<ChartMarks["bands"]> {
  return [...phaseBands(result), ...faultBands(result)];
}

/** The x axis of every over-time chart: the measured phase's seconds, the first second to the last. */
function timeScale(result: RunResult) {
  const first = result.intervals[0];
  const last = result.intervals.at(-1);
  return {
    type: "linear" as const,
    // A bar dataset would otherwise pad the axis by half a category on each side.
    offset: false,
    ...(first && last && { min: secondOf(result, first).from, max: secondOf(result, last).to }),
    title: axisTitle(TIME_AXIS),
  };
}

/** Kinds that have per-second figures in this run, in the result's order. */
export function kindsOverTime(result: RunResult): string[] {
  return Object.keys(result.latency).filter((kind) =>
    result.intervals.some((p) => p[`${kind}P99Us`] !== undefined),
  );
}

/** Whether a kind's seconds are by intended send time in this run (fault runs: pubAck, request, e2e). */
export function byIntendedSend(result: RunResult, kind: string): boolean {
  return result.intervals.some((p) => p.byIntended?.[kind as LatencyKind] !== undefined);
}

type Point = { x: number; y: number | null };

/**
 * A kind's latency per second, one point every second of the run: null (a gap, never a line drawn
 * across) where a second has no data. In a fault run the seconds are by intended send time, so a
 * fault's latency lands in the seconds it was on, and failed operations are drawn apart, at the time
 * they took to fail; otherwise by the second an operation completed in.
 */
export function latencySeries(result: RunResult, kind: string): Record<string, Point[]> {
  const intended = byIntendedSend(result, kind);
  const ms = (us: number | undefined) => (us === undefined ? null : us / 1000);
  const of = (pick: (p: IntervalPoint) => number | undefined) =>
    result.intervals.map((p) => ({ x: secondOf(result, p).mid, y: ms(pick(p)) }));
  if (!intended)
    return {
      max: of((p) => p[`${kind}MaxUs`]),
      p99: of((p) => p[`${kind}P99Us`]),
      p50: of((p) => p[`${kind}P50Us`]),
    };
  const second = (p: IntervalPoint) => p.byIntended?.[kind as LatencyKind];
  return {
    max: of((p) => second(p)?.maxUs),
    p99: of((p) => second(p)?.p99Us),
    p50: of((p) => second(p)?.p50Us),
    failed: of((p) => second(p)?.failedP99Us),
  };
}

export function latencyOverTimeChart(result: RunResult, kind: string): ChartSpec {
  const series = latencySeries(result, kind);
  const style = { pointRadius: 1.5, borderWidth: 2, spanGaps: false };
  const datasets: Array<Record<string, unknown> & { data: Point[] }> = [
    { label: "max", data: series.max!, borderColor: COLOURS.max, backgroundColor: COLOURS.max, ...style },
    { label: "p99", data: series.p99!, borderColor: COLOURS.p99, backgroundColor: COLOURS.p99, ...style },
    { label: "p50", data: series.p50!, borderColor: COLOURS.p50, backgroundColor: COLOURS.p50, ...style },
  ];
  if (series.failed?.some((p) => p.y !== null))
    datasets.push({
      label: "failed: p99 time to failure",
      data: series.failed,
      borderColor: COLOURS.failed,
      backgroundColor: COLOURS.failed,
      showLine: false,
      pointStyle: "crossRot",
      pointRadius: 6,
      borderWidth: 2,
    });
  const title = `${kind} latency over time: ${result.profile.name}`;
  const subtitle = !series.failed
    ? "each second: the operations that completed in it, all threads merged"
    : kind === "e2e"
      ? "each second: the messages meant to be sent in it (intended send time), whenever they were received"
      : "each second: the operations meant to be sent in it (intended send time), whenever they completed; p50, p99 and max of those that succeeded, failures apart";
  const options = baseOptions(title, subtitle);
  return {
    name: `latency-${kind}`,
    title,
    config: {
      type: "line",
      data: { datasets } as never,
      options: {
        ...options,
        plugins: {
          ...options.plugins,
          benchline: { latencyAxes: ["y"], bands: runBands(result) },
        },
        scales: {
          x: timeScale(result),
          y: {
            type: "logarithmic",
            ...logBounds(datasets.flatMap((d) => d.data.flatMap((p) => (p.y === null ? [] : [p.y])))),
            title: axisTitle(`${kind} latency (log scale)`),
          },
        },
      },
    },
  };
}

/** What the per-second counts mean in this run: publishes, acknowledged ones, or operations. */
function countLabels(result: RunResult): { sent: string; succeeded?: string } {
  const load = wholeLoad(result.profile);
  if (load.publishers.length === 0 && result.throughput.opsPerSec !== undefined)
    return { sent: "operations issued", succeeded: "operations succeeded" };
  if (!load.publishers.some((p) => p.mode !== "core")) return { sent: "published" };
  return { sent: "sent", succeeded: "acknowledged" };
}

export function throughputOverTimeChart(result: RunResult): ChartSpec {
  const points = result.intervals;
  const errors = points.reduce((n, p) => n + p.errors, 0);
  const title = `Throughput over time: ${result.profile.name}`;
  const options = baseOptions(title, "per second, all threads: what happened in that second");
  const labels = countLabels(result);
  const x = (p: IntervalPoint) => secondOf(result, p).mid;
  // Chart.js draws a lower `order` on top: consumed (dashed) over the successes (wider, so both show
  // where they are equal), those over the sends.
  const line = (label: string, colour: string, order: number, pick: (p: IntervalPoint) => number) => ({
    type: "line" as const,
    label,
    data: points.map((p) => ({ x: x(p), y: pick(p) })),
    borderColor: colour,
    backgroundColor: colour,
    pointRadius: 1.5,
    borderWidth: 2,
    order,
    yAxisID: "y",
  });
  const datasets: unknown[] = [];
  if (labels.succeeded) {
    datasets.push({ ...line(labels.succeeded, COLOURS.published, 1, (p) => p.acked), borderWidth: 5 });
    datasets.push({
      ...line(labels.sent, COLOURS.sent, 2, (p) => p.published),
      borderWidth: 1,
      pointRadius: 0,
    });
  } else datasets.push({ ...line(labels.sent, COLOURS.published, 1, (p) => p.published), borderWidth: 5 });
  if (wholeLoad(result.profile).consumers.length > 0 || points.some((p) => p.consumed > 0))
    datasets.push({ ...line("consumed", COLOURS.consumed, 0, (p) => p.consumed), borderDash: [12, 12] });
  datasets.push({
    type: "bar" as const,
    label: `errors (${errors} in all)`,
    data: points.map((p) => ({ x: x(p), y: p.errors })),
    borderColor: COLOURS.errors,
    backgroundColor: COLOURS.errors,
    order: 3,
    yAxisID: "errors",
  });
  return {
    name: "throughput",
    title,
    config: {
      type: "line",
      data: { datasets } as never,
      options: {
        ...options,
        plugins: {
          ...options.plugins,
          benchline: { countAxes: ["y", "errors"], bands: runBands(result) },
        },
        scales: {
          x: timeScale(result),
          y: { type: "linear", min: 0, title: axisTitle("per second") },
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
