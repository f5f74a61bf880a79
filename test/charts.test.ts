import { loadImage } from "@napi-rs/canvas";
import { describe, expect, it } from "vitest";
import type { CapacityResult } from "../src/engine/capacity.js";
import { decodeHistogram } from "../src/metrics/histogram.js";
import { capacityChart } from "../src/report/charts/capacity-chart.js";
import { compareCharts } from "../src/report/charts/compare-charts.js";
import { decorateChart } from "../src/report/charts/decorate.js";
import { percentilePoints } from "../src/report/charts/percentile-chart.js";
import { PNG_HEIGHT, PNG_WIDTH, renderPng } from "../src/report/charts/png.js";
import {
  latencyOverTimeChart,
  phaseBands,
  runCharts,
  throughputOverTimeChart,
} from "../src/report/charts/run-charts.js";
import { logBounds } from "../src/report/charts/spec.js";
import { renderTable } from "../src/report/table.js";
import { blockOf, chartedRun, hdrOf } from "./fixtures/charted-run.js";
import { fixtureCompareReport } from "./fixtures/compare-report.js";
import { fixtureRun } from "./fixtures/run-result.js";

// biome-ignore lint/suspicious/noExplicitAny: reading Chart.js datasets back in tests.
const points = (spec: { config: { data: { datasets: any[] } } }, label: string) =>
  spec.config.data.datasets.find((d) => d.label.startsWith(label))!.data as Array<{
    x: number;
    y: number | null;
  }>;

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Share of pixels in the PNG of one colour (r,g,b within 40 of it). */
async function colourShare(png: Buffer, [r, g, b]: [number, number, number]): Promise<number> {
  const { createCanvas } = await import("@napi-rs/canvas");
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4)
    if (Math.abs(data[i]! - r) < 40 && Math.abs(data[i + 1]! - g) < 40 && Math.abs(data[i + 2]! - b) < 40)
      n++;
  return n / (data.length / 4);
}

describe("run charts", () => {
  it("latency over time plots each second's p50, p99 and max in ms, the warmup and drain shaded", () => {
    const run = chartedRun();
    const spec = latencyOverTimeChart(run, "pubAck");
    // Seconds from the start of the measured phase (2 s of warmup before 0), each drawn at its middle.
    expect(points(spec, "p99")).toEqual(
      run.intervals.map((p) => ({ x: p.t - 2.5, y: p.pubAckP99Us! / 1000 })),
    );
    expect(points(spec, "max")[4]).toEqual({ x: 2.5, y: 120 });
    expect(points(spec, "p50")[0]).toEqual({ x: -1.5, y: 0.5 });
    expect(spec.config.options?.plugins?.benchline?.bands).toEqual([
      { from: -2, to: 0, label: "warmup (discarded)" },
      { from: 6, to: 7, label: "drain 1.00 s" },
    ]);
    expect(spec.config.options?.scales?.y?.type).toBe("logarithmic");
    expect(spec.config.options?.scales?.x).toMatchObject({
      min: -2,
      max: 7,
      title: { text: "seconds from the start of the measured phase (warmup before 0)" },
    });
    expect(spec.config.options?.plugins?.subtitle?.text).toBe(
      "each second: the operations that completed in it, all threads merged",
    );
  });

  it("every run shows its drain as long as it lasted, a part-second drawn at its own span", () => {
    // The drain ends when the consumers caught up, so one run stops 0.4 s into its drain second...
    const run = { ...chartedRun(), durationS: 8.4 };
    const spec = latencyOverTimeChart(run, "pubAck");
    expect(spec.config.options?.plugins?.benchline?.bands?.at(-1)).toEqual({
      from: 6,
      to: expect.closeTo(6.4, 9),
      label: "drain 0.40 s",
    });
    expect(points(spec, "p99").at(-1)!.x).toBeCloseTo(6.2, 9);
    expect(spec.config.options?.scales?.x?.max).toBeCloseTo(6.4, 9);
    // ...and its throughput is the rate of that part: 998 consumed in 0.4 s.
    const tput = throughputOverTimeChart(run);
    expect(points(tput, "consumed").at(-1)).toEqual({ x: expect.closeTo(6.2, 9), y: 2495 });
    expect(tput.config.options?.plugins?.subtitle?.text).toBe(
      "per second, all threads: what happened in that second; drain: until the consumers caught up, at most 2 s (here 0.40 s)",
    );
    // ...and the next a few milliseconds after the measured phase, before its last snapshot's second
    // turned: no point in the drain, yet the band is there and named, too narrow to hold its label.
    const quick = { ...chartedRun(), durationS: 8.004, intervals: chartedRun().intervals.slice(0, 8) };
    expect(phaseBands(quick).at(-1)).toEqual({
      from: 6,
      to: expect.closeTo(6.004, 9),
      label: "drain 0.00 s",
    });
    // A part-second of a few milliseconds holds too few messages for a rate: not drawn as one.
    const sliver = { ...chartedRun(), durationS: 8.05 };
    expect(points(throughputOverTimeChart(sliver), "consumed").at(-1)!.x).toBe(5.5);
  });

  it("names what each second holds: completions, receipts for e2e, sends for sendLag", () => {
    const run = chartedRun();
    const subtitle = (kind: string) =>
      latencyOverTimeChart(run, kind).config.options?.plugins?.subtitle?.text;
    expect(subtitle("e2e")).toBe("each second: the messages received in it, all threads merged");
    expect(subtitle("sendLag")).toBe("each second: how late the sends made in it left, all threads merged");
  });

  it("leaves a gap where a second has no data, never a line drawn across it", () => {
    const run = chartedRun();
    // Nothing completed in the third and fourth seconds (a stall): no percentiles there.
    for (const p of run.intervals.slice(2, 4)) {
      delete p.pubAckP50Us;
      delete p.pubAckP99Us;
      delete p.pubAckMaxUs;
    }
    const spec = latencyOverTimeChart(run, "pubAck");
    const p99 = points(spec, "p99");
    expect(p99).toHaveLength(run.intervals.length);
    expect(p99.slice(1, 5)).toEqual([
      { x: -0.5, y: 2.001 },
      { x: 0.5, y: null },
      { x: 1.5, y: null },
      { x: 2.5, y: 80 },
    ]);
    // biome-ignore lint/suspicious/noExplicitAny: reading Chart.js datasets back in tests.
    expect((spec.config.data.datasets as any[]).every((d) => d.spanGaps === false)).toBe(true);
  });

  it("a fault run: latency by intended second, failures apart, the fault shaded at the table's seconds", () => {
    const run = chartedRun();
    run.faults = [
      {
        name: "leader-down",
        kind: "kill",
        target: "streamLeader",
        fired: true,
        atS: 2,
        forS: 2,
        recovered: true,
        errors: { noResponders: 1500 },
        reconnects: 0,
        reconnectMs: [],
        latency: {},
      },
    ];
    run.intervals.forEach((p, i) => {
      const during = i === 4 || i === 5;
      p.byIntended = {
        pubAck: during
          ? { succeeded: 0, failed: 1000, failedP99Us: 1_500, failedMaxUs: 2_000_000 }
          : { succeeded: 1000, failed: 0, p50Us: 600, p99Us: 3000, maxUs: 5000 },
      };
    });
    const spec = latencyOverTimeChart(run, "pubAck");
    // The seconds meant to be sent during the fault [2, 4) have no success: a gap, and failures apart.
    expect(points(spec, "p99").slice(3, 7)).toEqual([
      { x: 1.5, y: 3 },
      { x: 2.5, y: null },
      { x: 3.5, y: null },
      { x: 4.5, y: 3 },
    ]);
    expect(points(spec, "failed").filter((p) => p.y !== null)).toEqual([
      { x: 2.5, y: 1.5 },
      { x: 3.5, y: 1.5 },
    ]);
    expect(spec.config.options?.plugins?.benchline?.bands).toContainEqual({
      from: 2,
      to: 4,
      label: "leader-down",
      color: "rgba(214,39,40,0.15)",
    });
    expect(spec.config.options?.plugins?.subtitle?.text).toMatch(
      /^each second: the operations meant to be sent in it \(intended send time\), whenever they completed/,
    );
    expect(pngSize(renderPng(spec))).toEqual({ width: PNG_WIDTH, height: PNG_HEIGHT });
  });

  it("throughput over time: successes, sends, consumed and the errors of each second apart", () => {
    const run = chartedRun();
    run.intervals[4] = { ...run.intervals[4]!, acked: 200, errors: 800 };
    const spec = throughputOverTimeChart(run);
    expect(points(spec, "acknowledged").map((p) => p.y)).toEqual(run.intervals.map((p) => p.acked));
    expect(points(spec, "acknowledged")[4]).toEqual({ x: 2.5, y: 200 });
    // Failed sends are sent, not acknowledged: "sent" keeps the offered rate, "acknowledged" drops.
    expect(points(spec, "sent")[4]).toEqual({ x: 2.5, y: 1004 });
    expect(points(spec, "consumed").map((p) => p.y)).toEqual(run.intervals.map((p) => p.consumed));
    expect(points(spec, "errors (800 in all)")).toContainEqual({ x: 2.5, y: 800 });
    // biome-ignore lint/suspicious/noExplicitAny: reading Chart.js datasets back in tests.
    const byLabel = (label: string) => (spec.config.data.datasets as any[]).find((d) => d.label === label);
    // Consumed is drawn over the successes (a lower order is drawn on top), dashed, so neither hides.
    expect(byLabel("consumed").order).toBeLessThan(byLabel("acknowledged").order);
    expect(byLabel("consumed").borderDash).toEqual([12, 12]);
  });

  it("labels the top of the throughput axes as drawn: a peak sits under a label, as on latency", async () => {
    const { Chart, registerables } = await import("chart.js");
    const { createCanvas } = await import("@napi-rs/canvas");
    Chart.register(...registerables);
    const run = chartedRun();
    // One second peaks at 4321 sends, 4321 acknowledged, 37 errors, well above the rest (about 1000).
    run.intervals[5] = { ...run.intervals[5]!, published: 4321, acked: 4321, errors: 37 };
    const spec = throughputOverTimeChart(run);
    const chart = new Chart(
      createCanvas(PNG_WIDTH, PNG_HEIGHT).getContext("2d") as unknown as ConstructorParameters<
        typeof Chart
      >[0],
      decorateChart(structuredClone(spec.config)),
    );
    try {
      // The ticks left after Chart.js skipped those it found crowded, with the labels drawn at them.
      const ticks = (axis: string) => chart.scales[axis]!.ticks.map((t) => [t.value, t.label]);
      expect(ticks("y")).toEqual([
        [0, "0"],
        [500, "500"],
        [1000, "1k"],
        [1500, "1.5k"],
        [2000, "2k"],
        [2500, "2.5k"],
        [3000, "3k"],
        [3500, "3.5k"],
        [4000, "4k"],
        [4500, "4.5k"],
      ]);
      expect(ticks("errors").at(-1)).toEqual([40, "40"]);
    } finally {
      chart.destroy();
    }
  });

  it("a KV run's throughput is operations, not publishes, in the chart and the table alike", () => {
    const run = chartedRun();
    run.profile = { ...run.profile, publishers: [], consumers: [] };
    run.throughput = { ...run.throughput, publishedPerSec: 0, consumedPerSec: 0, opsPerSec: 1999.5 };
    const spec = throughputOverTimeChart(run);
    // biome-ignore lint/suspicious/noExplicitAny: reading Chart.js datasets back in tests.
    const labels = (spec.config.data.datasets as any[]).map((d) => d.label);
    expect(labels).toEqual(["operations succeeded", "operations issued", "consumed", "errors (3 in all)"]);
    const table = renderTable({ ...run, intervals: run.intervals.map((p) => ({ ...p, consumed: 0 })) });
    expect(table).toMatch(/│ throughput +│ per second │ bytes\/s │\n.*\n│ operations succeeded │ 2000 +│/);
    expect(table).not.toMatch(/│ (published|consumed) +│ 0 /);
  });

  it("a run gives throughput, latency per kind with a series, and one percentile chart", () => {
    expect(runCharts(chartedRun()).map((c) => c.name)).toEqual([
      "throughput",
      "latency-pubAck",
      "percentiles",
    ]);
  });

  it("each chart is a PNG of 1200x600 with the series drawn in their colours", async () => {
    const run = chartedRun();
    for (const spec of runCharts(run)) {
      const png = renderPng(spec);
      expect(pngSize(png)).toEqual({ width: PNG_WIDTH, height: PNG_HEIGHT });
      // White background, not transparent; and the first series' colour (#1f77b4) is actually drawn.
      expect(await colourShare(png, [255, 255, 255])).toBeGreaterThan(0.5);
      expect(await colourShare(png, [0x1f, 0x77, 0xb4])).toBeGreaterThan(0.001);
    }
  });

  it("a chart of no data is still a valid PNG", () => {
    const spec = throughputOverTimeChart({ ...fixtureRun(), intervals: [] });
    expect(pngSize(renderPng(spec, 400, 300))).toEqual({ width: 400, height: 300 });
  });
});

describe("percentile distribution", () => {
  it("puts percentiles on the nines axis: x = log10(1/(1-p)), y = the histogram's value in ms", () => {
    const h = decodeHistogram(hdrOf(Array.from({ length: 10_000 }, (_, i) => i + 1)));
    const pts = percentilePoints(h);
    expect(pts[0]).toEqual({ x: 0, y: 0.001 });
    // x = 1 is the 90th percentile, x = 2 the 99th, x = 3 the 99.9th.
    expect(pts.find((p) => Math.abs(p.x - 1) < 1e-9)!.y).toBeCloseTo(9.0, 1);
    expect(pts.find((p) => Math.abs(p.x - 2) < 1e-9)!.y).toBeCloseTo(9.9, 1);
    expect(pts.find((p) => Math.abs(p.x - 3) < 1e-9)!.y).toBeCloseTo(9.99, 1);
    // It stops where 10,000 samples stop resolving percentiles (x = 4), ending at the max (HDR's
    // highest value equivalent to 10,000 us at 3 significant digits, as result.json's maxUs).
    expect(pts.at(-1)).toEqual({ x: 4, y: 10.007 });
    h.destroy();
  });

  it("labels the nines axis 50%, 90%, 99%, 99.9% and log latency axes at 1-2-5 steps only", () => {
    const config = decorateChart({
      type: "line",
      data: { datasets: [] },
      options: {
        plugins: { benchline: { ninesAxis: "x", latencyAxes: ["y"] } },
        scales: { x: { type: "linear" }, y: { type: "logarithmic" } },
      },
    });
    const x = config.options.scales.x;
    const axis = { max: 3, ticks: [] as Array<{ value: number }> };
    x.afterBuildTicks(axis);
    expect(axis.ticks.map((t) => x.ticks.callback(t.value))).toEqual(["0%", "50%", "90%", "99%", "99.9%"]);
    const y = config.options.scales.y.ticks.callback;
    expect([0.5, 1, 1.5, 2, 3, 5, 20, 1500].map(y)).toEqual([
      "500 µs",
      "1 ms",
      "",
      "2 ms",
      "",
      "5 ms",
      "20 ms",
      "",
    ]);
    expect([2000].map(y)).toEqual(["2 s"]);
  });

  it("labels the top of a latency axis, never skipped: a 4 s peak sits under a 5 s label", () => {
    const config = decorateChart({
      type: "line",
      data: { datasets: [] },
      options: {
        plugins: { benchline: { latencyAxes: ["y"] } },
        scales: { y: { type: "logarithmic", ...logBounds([0.2, 4000]) } },
      },
    });
    const y = config.options.scales.y;
    expect(y.ticks.autoSkip).toBe(false);
    // Five decades and more: powers of ten only, and the ends.
    expect([0.2, 0.5, 1, 2, 10, 1000, 2000, 5000].map(y.ticks.callback)).toEqual([
      "200 µs",
      "",
      "1 ms",
      "",
      "10 ms",
      "1 s",
      "",
      "5 s",
    ]);
  });

  it("leaves room right of the nines axis for its last label (99.999%)", () => {
    const spec = runCharts(chartedRun()).find((c) => c.name === "percentiles")!;
    expect(spec.config.options?.layout?.padding).toEqual({ right: 32 });
  });

  it("the decoration works from its source text alone, as the HTML report inlines it", () => {
    const fromText = new Function(`return (${decorateChart.toString()})`)() as typeof decorateChart;
    const config = fromText({ type: "line", data: { datasets: [] }, options: { plugins: {}, scales: {} } });
    expect(config.plugins.map((p: { id: string }) => p.id)).toEqual(["benchline"]);
  });

  it("log axis bounds land on 1-2-5 values around the data", () => {
    expect(logBounds([0.37, 42])).toEqual({ min: 0.2, max: 50 });
    expect(logBounds([1, 10])).toEqual({ min: 1, max: 10 });
    expect(logBounds([])).toEqual({});
  });
});

describe("capacity and compare charts", () => {
  const step = (index: number, target: number, good: boolean, p50Us: number, p99Us: number) => ({
    index,
    phase: "ramp" as const,
    targetPerSec: target,
    achievedPerSec: good ? target : target * 0.8,
    consumedPerSec: target,
    backlogGrowth: 0,
    latencyKind: "pubAck",
    p50Us,
    p99Us,
    // pubAck.p99 < 20ms, broken by the last step only; its p50 kept within any bound.
    objectives: [
      { metric: "pubAck.p99", op: "<", limit: 20_000, text: "<20ms", actual: p99Us, passed: p99Us < 20_000 },
    ],
    good,
    reasons: good ? [] : ["too slow"],
    generatorLimited: false,
    latency: {
      pubAck: { ...blockOf([p50Us]), p50Us, p99Us },
      e2e: { ...blockOf([p50Us]), p50Us: p50Us * 2, p99Us: p99Us * 2 },
    },
  });

  it("capacity plots p50 and p99 against achieved throughput, bad steps crossed, the knee marked", () => {
    const result = {
      profile: fixtureRun().profile,
      settings: { startPerSec: 1000, maxPerSec: 8000, stepDurationS: 5, precision: 0.05, objectives: [] },
      steps: [
        step(0, 1000, true, 300, 900),
        step(1, 4000, true, 400, 2000),
        step(2, 8000, false, 9000, 50_000),
      ],
      maxGoodPerSec: 4000,
      firstBadPerSec: 8000,
    } as unknown as CapacityResult;
    const spec = capacityChart(result);
    expect(points(spec, "p99")).toEqual([
      { x: 1000, y: 0.9 },
      { x: 4000, y: 2 },
      { x: 6400, y: 50 },
    ]);
    type Styled = { pointStyle: string[]; pointBackgroundColor: string[] };
    const [p99, p50] = spec.config.data.datasets as unknown as Styled[];
    // The cross is on the figure that broke its objective; p50 of that bad step is a ring, not a cross.
    expect(p99!.pointStyle).toEqual(["circle", "circle", "crossRot"]);
    expect(p50!.pointStyle).toEqual(["circle", "circle", "circle"]);
    expect(p50!.pointBackgroundColor.at(-1)).toBe("#ffffff");
    expect(spec.config.options?.plugins?.benchline?.levels).toEqual([
      { at: 20, label: "objective: pubAck.p99 <20ms" },
    ]);
    expect(spec.config.options?.plugins?.benchline?.lines).toEqual([
      { at: 4000, label: "knee: 4000 msgs/s sustained" },
    ]);
    expect(pngSize(renderPng(spec))).toEqual({ width: PNG_WIDTH, height: PNG_HEIGHT });
    // With an objective on e2e, the chart shows e2e: the latency that decided the steps.
    const judged = capacityChart({
      ...result,
      settings: { ...result.settings, objectives: ["e2e.p99<40ms"] },
    });
    expect(points(judged, "p99").map((p) => p.y)).toEqual([1.8, 4, 100]);
    expect(judged.config.options?.plugins?.subtitle?.text).toContain("e2e latency per step");
  });

  it("a compare draws the baseline and the candidate of each kind on one chart", () => {
    const report = {
      ...fixtureCompareReport(),
      distributions: [
        {
          kind: "pubAck",
          baselineHdr: blockOf([1000, 2000, 3000]).hdr,
          candidateHdr: blockOf([1500, 2500, 6000]).hdr,
        },
      ],
    };
    const [spec, ...rest] = compareCharts(report);
    expect(rest).toEqual([]);
    expect(spec!.name).toBe("percentiles-pubAck");
    expect(spec!.config.data.datasets.map((d) => d.label)).toEqual([
      `baseline, ${report.baseline.runs} runs (3 samples)`,
      `candidate, ${report.candidate.runs} runs (3 samples)`,
    ]);
    expect(points(spec!, "candidate").at(-1)!.y).toBeCloseTo(6, 1);
    // What each side ran against, named on the chart.
    expect(spec!.config.options?.plugins?.subtitle?.text).toBe(
      `baseline: baselines/smoke.json, recorded ${report.baseline.createdAt.slice(0, 10)}, nats-server ${report.baseline.env.serverVersion} on ${report.baseline.env.host}; candidate: run ${report.createdAt.slice(0, 10)}, nats-server ${report.candidate.env!.serverVersion} on ${report.candidate.env!.host}`,
    );
    const ab = compareCharts({
      ...report,
      ab: { a: "nats://a:4222", b: "nats://b:4222", rounds: 3, order: "ABBAAB" },
    });
    expect(ab[0]!.config.options?.plugins?.subtitle?.text).toBe("A: nats://a:4222; B: nats://b:4222");
  });
});
