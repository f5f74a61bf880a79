/** The charts of one run: latency over time per kind, throughput over time, percentile distribution. */
import type { LatencyKind } from "../../contract/latency.js";
import { wholeLoad } from "../../contract/profile.js";
import type { IntervalPoint, RunResult } from "../../contract/result.js";
import { percentileChart } from "./percentile-chart.js";
import { axisTitle, baseOptions, type ChartMarks, type ChartSpec, COLOURS, logBounds } from "./spec.js";

/** The time base of every over-time chart, the table and `slo --tests`: docs/architecture.md, "Faults". */
export const TIME_AXIS = "seconds from the start of the measured phase (warmup before 0)";

/** Where the run ended on that base: the measured phase's length, then the drain's. */
export function runEndS(result: RunResult): number {
  return result.durationS - result.profile.warmupMs / 1000;
}

/**
 * Where a per-second point lies on that base: its second [from, to), drawn at `mid`. The last point
 * is the part of a second before the run stopped, so it ends at the run's end, not a whole second on.
 */
export function secondOf(result: RunResult, p: IntervalPoint): { from: number; to: number; mid: number } {
  const from = p.t - 1 - result.profile.warmupMs / 1000;
  const end = runEndS(result);
  const to = end > from && end < from + 1 ? end : from + 1;
  return { from, to, mid: (from + to) / 2 };
}

/** A part-second this short holds too few messages to give a rate. */
const MIN_RATE_SPAN_S = 0.25;

/**
 * The drain lasts until the consumers caught up (at most the profile's drain), so its length varies
 * from run to run: from the measured phase's end to the run's end, which may be a few milliseconds.
 */
export function drainSpan(result: RunResult): { from: number; to: number } | undefined {
  const to = runEndS(result);
  return to > result.measuredS + 0.001 ? { from: result.measuredS, to } : undefined;
}

/** Shaded warmup and drain, so nobody reads the discarded seconds as the result. */
export function phaseBands(result: RunResult): NonNullable<ChartMarks["bands"]> {
  const bands: NonNullable<ChartMarks["bands"]> = [];
  const warmup = result.intervals.filter((p) => p.phase === "warmup").map((p) => secondOf(result, p));
  if (warmup.length > 0)
    bands.push({ from: warmup[0]!.from, to: warmup.at(-1)!.to, label: "warmup (discarded)" });
  const drain = drainSpan(result);
  if (drain) bands.push({ ...drain, label: `drain ${(drain.to - drain.from).toFixed(2)} s` });
  return bands;
}

/** How the drain's length came about, for a subtitle: it varies, and a reader should know why. */
function drainNote(result: RunResult): string {
  const drain = drainSpan(result);
  if (!drain || result.profile.drainMs === 0) return "";
  return `; drain: until the consumers caught up, at most ${result.profile.drainMs / 1000} s (here ${(drain.to - drain.from).toFixed(2)} s)`;
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
    ...(first &&
      last && {
        min: secondOf(result, first).from,
        max: Math.max(secondOf(result, last).to, runEndS(result)),
      }),
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

/** What falls in a second of a kind timed by completion: e2e by receipt, sendLag by the send. */
const COMPLETED_IN: Record<string, string> = {
  e2e: "the messages received in it",
  sendLag: "how late the sends made in it left",
};

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
    ? `each second: ${COMPLETED_IN[kind] ?? "the operations that completed in it"}, all threads merged`
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
  // A last part-second is drawn as the rate it ran at, where it lasted long enough to have one.
  const points = result.intervals.filter((p) => {
    const s = secondOf(result, p);
    return s.to - s.from >= MIN_RATE_SPAN_S;
  });
  const errors = result.intervals.reduce((n, p) => n + p.errors, 0);
  const title = `Throughput over time: ${result.profile.name}`;
  const options = baseOptions(
    title,
    `per second, all threads: what happened in that second${drainNote(result)}`,
  );
  const labels = countLabels(result);
  const x = (p: IntervalPoint) => secondOf(result, p).mid;
  const perS = (p: IntervalPoint, n: number) => {
    const s = secondOf(result, p);
    return Math.round(n / (s.to - s.from));
  };
  // Chart.js draws a lower `order` on top: consumed (dashed) over the successes (wider, so both show
  // where they are equal), those over the sends.
  const line = (label: string, colour: string, order: number, pick: (p: IntervalPoint) => number) => ({
    type: "line" as const,
    label,
    data: points.map((p) => ({ x: x(p), y: perS(p, pick(p)) })),
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
    data: points.map((p) => ({ x: x(p), y: perS(p, p.errors) })),
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
