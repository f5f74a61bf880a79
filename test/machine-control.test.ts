import { describe, expect, it } from "vitest";
import { compareRuns, DEFAULT_ALPHA } from "../src/baseline/compare.js";
import {
  adjustForMachine,
  judgeOverSlopes,
  slopeRange,
  slopeShiftWidth,
} from "../src/baseline/machine-adjust.js";
import {
  adjustsMetric,
  type ControlPlan,
  closedLoopPart,
  generatorCostUs,
  machineControlReport,
  machineControlWarnings,
  machineExplainedWarnings,
  planMachineControl,
  unadjustedWarnings,
} from "../src/baseline/machine-control.js";
import type { MetricSource } from "../src/baseline/metrics.js";
import { hodgesLehmannChange, mannWhitneyPOfU, mannWhitneyU } from "../src/baseline/stats.js";
import { summarizeBaseline } from "../src/baseline/summary.js";
import type { RunEnv } from "../src/contract/env.js";
import { parseProfileText } from "../src/profile/loader.js";
import { renderBaselineShow } from "../src/report/baseline-show.js";
import { machineControlSentence } from "../src/report/machine-control-line.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { fixtureBlock, fixtureCounts } from "./fixtures/run-result.js";

const throughput = (rate: number) => ({
  publishedPerSec: rate,
  consumedPerSec: rate,
  publishedBytesPerSec: 0,
  consumedBytesPerSec: 0,
});

describe("generatorCostUs", () => {
  it("is the generator's CPU microseconds per message published and consumed", () => {
    // 12.5% of a core over 5,000 published and 5,000 consumed a second: 12.5 us a message.
    expect(generatorCostUs({ throughput: throughput(5000), generator: { cpuPercent: 12.5 } })).toBeCloseTo(
      12.5,
      12,
    );
    // Operations count as messages: 20% of a core over 2,000 ops/s and nothing else is 100 us.
    expect(
      generatorCostUs({
        throughput: { ...throughput(0), opsPerSec: 2000 },
        generator: { cpuPercent: 20 },
      }),
    ).toBeCloseTo(100, 12);
  });

  it("is undefined without the generator's CPU or without messages", () => {
    expect(generatorCostUs({ throughput: throughput(5000) })).toBeUndefined();
    expect(generatorCostUs({ throughput: throughput(0), generator: { cpuPercent: 10 } })).toBeUndefined();
    expect(generatorCostUs({ throughput: throughput(10), generator: { cpuPercent: 0 } })).toBeUndefined();
  });
});

describe("the slope's uncertainty", () => {
  // Worked by hand on the log scale. Baseline: ln x 0, 1, 2 and ln y 0, 0.6, 1.0; candidates: ln x 1, 3
  // and ln y 0.5, 1.5. Within the sides Sxy = 1 + 1, Sxx = 2 + 2: slope 0.5. Syy = 0.50667 + 0.5, so
  // the residual sum of squares is 1.00667 - 0.5 x 2 = 0.00667 on 5 - 2 - 1 = 2 degrees of freedom:
  // SE = sqrt(0.00667 / 2 / 4) = 0.028868. The candidates' mean ln x is 2, the baseline's 1: a move of 1.
  const e = Math.exp;
  const fit = adjustForMachine([e(0), e(0.6), e(1)], [e(0), e(1), e(2)], [e(0.5), e(1.5)], [e(1), e(3)])!;

  it("fits the slope, its standard error and the control's move", () => {
    expect(fit.fittedSlope).toBeCloseTo(0.5, 12);
    expect(fit.df).toBe(2);
    expect(fit.slopeSe).toBeCloseTo(Math.sqrt(0.02 / 3 / 2 / 4), 12);
    expect(fit.controlShift).toBeCloseTo(1, 12);
  });

  it("takes the slopes a 95% interval leaves (t 4.3027 on 2 df) and the shift they can make", () => {
    const range = slopeRange(fit, 0.05);
    const half = 4.302653 * fit.slopeSe;
    expect(range.low).toBeCloseTo(0.5 - half, 5);
    expect(range.high).toBeCloseTo(0.5 + half, 5);
    expect(slopeShiftWidth(fit, 0.05)).toBeCloseTo(0.124209, 5);
  });

  it("floors the range at 0: a slope below it is not plausible", () => {
    // One side, ln x 0, 1, 2 and ln y 0, 0.6, 1.0: slope 0.5, SE 0.057735 on 1 df; t 12.706 at 95%
    // reaches below 0, so the range starts there.
    const one = adjustForMachine([e(0), e(0.6), e(1)], [e(0), e(1), e(2)], [], [])!;
    expect(one.slopeSe).toBeCloseTo(0.057735, 6);
    const range = slopeRange(one, 0.05);
    expect(range.low).toBe(0);
    expect(range.high).toBeCloseTo(0.5 + 12.7062 * 0.057735, 3);
    expect(slopeShiftWidth(one, 0.05)).toBe(0);
  });
});

describe("judgeOverSlopes", () => {
  // Two baseline runs (ln x, ln y) = (0, 0), (1, 1) and two candidates (2, 2.5), (3, 3.5). A pair
  // differs by d(b) = (ln c - ln a) - b (x_c - x_a): 2.5 - 2b, 1.5 - b, 3.5 - 3b, 2.5 - 2b, which cross
  // 0 at 1.25, 1.5, 1.1667 and 1.25. Over slopes 0 to 2, U (pairs with d > 0) is 4, 3, 1 and 0 between
  // the crossings: never 2, its null mean, but 3 or 1 at best, where the exact two-sided p-value of 2
  // against 2 runs is 2 x 2/6 = 0.6667.
  const e = Math.exp;
  const fit = adjustForMachine([e(0), e(1)], [e(0), e(1)], [e(2.5), e(3.5)], [e(2), e(3)])!;

  it("takes the largest p-value between the crossings", () => {
    expect(judgeOverSlopes(fit, { low: 0, high: 2 }, 0.5).pValue).toBeCloseTo(4 / 6, 12);
    // Slopes 0 to 1 cross nothing: U is 4 throughout, p = 2 x 1/6.
    expect(judgeOverSlopes(fit, { low: 0, high: 1 }, 0.5).pValue).toBeCloseTo(2 / 6, 12);
  });

  it("bounds every slope's interval by the pairs' ends: at 50%, k = 1 of 4 differences", () => {
    // Lower ends min(d(0), d(2)): -1.5, -0.5, -2.5, -1.5; upper ends 2.5, 1.5, 3.5, 2.5.
    const { interval } = judgeOverSlopes(fit, { low: 0, high: 2 }, 0.5);
    expect(interval.low).toBeCloseTo(Math.expm1(-2.5), 12);
    expect(interval.high).toBeCloseTo(Math.expm1(3.5), 12);
  });

  it("is the ordinary test of the adjusted values at a range of one slope", () => {
    const one = judgeOverSlopes(fit, { low: 0.5, high: 0.5 }, 0.5);
    // At slope 0.5 and centre 0.5 the baseline reads 0.25, 0.75 and the candidates 1.75, 2.25 (logs).
    const base = [e(0.25), e(0.75)];
    const cand = [e(1.75), e(2.25)];
    expect(one.pValue).toBeCloseTo(mannWhitneyU(cand, base).pValue, 12);
    expect(one.interval.low).toBeCloseTo(hodgesLehmannChange(base, cand, 0.5)!.low, 12);
  });
});

describe("mannWhitneyPOfU", () => {
  it("gives the untied samples' p-value from U alone, exact and in the normal range", () => {
    // 3 against 4 runs, all of x below y: U = 0, p = 2 / C(7, 3) = 2/35.
    expect(mannWhitneyPOfU(0, 3, 4)).toBeCloseTo(2 / 35, 12);
    expect(mannWhitneyPOfU(0, 3, 4)).toBeCloseTo(mannWhitneyU([1, 2, 3], [4, 5, 6, 7]).pValue, 12);
    const x = Array.from({ length: 21 }, (_, i) => 2 * i);
    const y = Array.from({ length: 21 }, (_, i) => 2 * i + 7);
    const { u, pValue } = mannWhitneyU(x, y);
    expect(mannWhitneyPOfU(u, 21, 21)).toBeCloseTo(pValue, 12);
  });
});

describe("adjustForMachine", () => {
  it("takes latency that follows the control exactly to one value at the baseline's machine speed", () => {
    // y = 10 sqrt(x) on both sides; the candidate's machine is twice as slow. The slope is 0.5 and the
    // baseline's mean ln x is ln 2, so every value lands on 10 sqrt(2): no change once adjusted.
    const a = adjustForMachine([10, 10 * Math.SQRT2, 20], [1, 2, 4], [10 * Math.SQRT2, 20], [2, 4])!;
    expect(a.slope).toBeCloseTo(0.5, 12);
    for (const v of [...a.base, ...a.cand]) expect(v).toBeCloseTo(10 * Math.SQRT2, 9);
  });

  it("keeps a real change: 20% more latency at every machine speed reads 20% more", () => {
    // Centre ln 2: the baseline lands on 10 sqrt(2), the candidates on 12 sqrt(2).
    const a = adjustForMachine([10, 20], [1, 4], [12 * Math.SQRT2, 24], [2, 4])!;
    expect(a.slope).toBeCloseTo(0.5, 12);
    for (const v of a.base) expect(v).toBeCloseTo(10 * Math.SQRT2, 9);
    for (const v of a.cand) expect(v).toBeCloseTo(12 * Math.SQRT2, 9);
  });

  it("pools the slope within the sides: a shift of the whole candidate side does not set it", () => {
    // Within each side latency doubles with the control (slope 1); across the sides the control moved
    // tenfold and latency not at all. Least squares over all four points would give a slope near 0.
    const a = adjustForMachine([1, 2], [1, 2], [1, 2], [10, 20])!;
    expect(a.slope).toBeCloseTo(1, 12);
    for (const v of a.base) expect(v).toBeCloseTo(Math.SQRT2, 9);
    for (const v of a.cand) expect(v).toBeCloseTo(Math.SQRT2 / 10, 9);
  });

  it("floors a negative slope at 0, leaving the values as measured", () => {
    const a = adjustForMachine([2, 1], [1, 2], [3, 3], [1, 2])!;
    expect(a.slope).toBe(0);
    expect(a.fittedSlope).toBeCloseTo(-0.5, 12);
    const round = (xs: number[]) => xs.map((v) => Math.round(v * 1e9) / 1e9);
    expect(round(a.base)).toEqual([2, 1]);
    expect(round(a.cand)).toEqual([3, 3]);
  });

  it("adjusts one side alone (a baseline's own spread)", () => {
    // Three runs on y = 10 sqrt(x), centre ln 2: every run lands on 10 sqrt(2).
    const a = adjustForMachine([10, 10 * Math.SQRT2, 20], [1, 2, 4], [], [])!;
    expect(a.slope).toBeCloseTo(0.5, 12);
    for (const v of a.base) expect(v).toBeCloseTo(10 * Math.SQRT2, 9);
    expect(a.controlShift).toBe(0);
  });

  it("is undefined with no variation in the control, a value at 0, unpaired values, or no df left", () => {
    expect(adjustForMachine([10, 20], [1, 4], [], [])).toBeUndefined();
    expect(adjustForMachine([1, 2], [3, 3], [1, 2], [4, 4])).toBeUndefined();
    expect(adjustForMachine([0, 2], [1, 2], [1, 2], [1, 2])).toBeUndefined();
    expect(adjustForMachine([1, 2], [1], [1, 2], [1, 2])).toBeUndefined();
  });
});

const env = (over: Partial<RunEnv> = {}): RunEnv => ({
  host: "ci",
  cpus: 2,
  node: "v20.20.2",
  benchline: "0.1.0",
  client: "nats.js 3.4.0",
  clusterSize: 1,
  embeddedServer: true,
  workerThreads: 1,
  transport: "tcp",
  ...over,
});
const openLoop = parseProfileText(
  "name: p\npublishers: [{subject: s, rate: 5000}]\nconsumers: [{kind: core, subject: s}]\n",
  "p.yaml",
  {},
).profile;
const costed = (cpuPercent?: number) => ({
  throughput: throughput(5000),
  ...(cpuPercent !== undefined && { generator: { cpuPercent } }),
});

describe("planMachineControl", () => {
  it("applies to an open-loop load run by the same generator on both sides, with each run's cost", () => {
    const plan = planMachineControl(
      openLoop,
      { env: env(), runs: [costed(10), costed(20)] },
      { envs: [env({ host: "other" })], runs: [costed(30)] },
    );
    expect(plan.applied).toBe(true);
    if (!plan.applied) return;
    // 10% of a core over 5,000 published and 5,000 consumed a second is 10 us a message.
    expect(plan.baseline.map((x) => Math.round(x * 1e9) / 1e9)).toEqual([10, 20]);
    expect(plan.candidate.map((x) => Math.round(x * 1e9) / 1e9)).toEqual([30]);
  });

  it("does not apply to a closed loop, where the server's speed sets the generator's work", () => {
    const closed = parseProfileText("name: p\npublishers: [{subject: s, rate: max}]\n", "p.yaml", {}).profile;
    const plan = planMachineControl(
      closed,
      { env: env(), runs: [costed(10)] },
      { envs: [env()], runs: [costed(10)] },
    );
    expect(plan.applied).toBe(false);
    expect(!plan.applied && plan.reason).toMatch(/^publisher .* runs at rate max: the server's speed sets/);
  });

  it("reads a tenant's operation clients, and a consume-only load, as no load at a set rate", () => {
    const tenantKv = parseProfileText(
      [
        "name: p",
        "tenants:",
        "  - name: t",
        "    publishers: [{mode: core, subject: t.s, rate: 100}]",
        "    kv: {bucket: {name: B}, keys: {count: 10}, clients: [{rate: max, mix: {get: 100}}]}",
      ].join("\n"),
      "p.yaml",
      {},
    ).profile;
    expect(closedLoopPart(tenantKv)).toBe("an operation client runs at rate max");
    const drain = parseProfileText(
      "name: p\nstream: {name: S, subjects: [s]}\nconsumers: [{kind: pull, name: c}]\n",
      "p.yaml",
      {},
    ).profile;
    expect(closedLoopPart(drain)).toBe("no load runs at a set rate");
    expect(closedLoopPart(openLoop)).toBeUndefined();
  });

  it("does not apply when the generator differs, and names what differs", () => {
    const plan = planMachineControl(
      openLoop,
      { env: env(), runs: [costed(10)] },
      { envs: [env(), env({ benchline: "0.2.0" })], runs: [costed(10), costed(10)] },
    );
    expect(plan).toEqual({ applied: false, reason: "the generator differs (benchline version)" });
    const threads = planMachineControl(
      openLoop,
      { env: env(), runs: [costed(10)] },
      { envs: [env({ workerThreads: 2 })], runs: [costed(10)] },
    );
    expect(threads).toEqual({ applied: false, reason: "the generator differs (worker threads)" });
  });

  it("asks for the baseline to be recorded again when its runs predate the control", () => {
    const plan = planMachineControl(
      openLoop,
      { env: env(), runs: [costed(10), costed()] },
      { envs: [env()], runs: [costed(10)] },
    );
    expect(!plan.applied && plan.reason).toMatch(/^the baseline's runs do not record .*; record it again$/);
  });
});

describe("the control in a report", () => {
  const plan: ControlPlan = { applied: true, baseline: [12, 12.5, 13], candidate: [16, 16.25, 16.5] };

  it("gives the medians and the change, and a warning when the machine moved 10% or more", () => {
    const r = machineControlReport(plan);
    expect(r).toEqual({
      name: "generator CPU per message",
      applied: true,
      baselineMedianUs: 12.5,
      candidateMedianUs: 16.25,
      change: 0.3,
    });
    expect(machineControlWarnings(plan, "when the baseline was recorded")).toEqual([
      `the machine ran benchline's own work 30% slower than when the baseline was recorded (generator CPU per message 12.5 -> 16.3 us): latency up to p95 is called regressed only when it is so at the baseline's machine speed too (docs/compare-in-ci.md, "The machine control")`,
    ]);
    expect(machineControlSentence(r)).toBe(
      "machine control: generator CPU per message 12.5 us on the baseline's side, 16.3 us on the candidate's (+30.0%); latency up to p95 is also compared at the baseline's machine speed, and called regressed only when it is so both ways",
    );
  });

  it("has no warning for a move under 10%, and says why when it did not apply", () => {
    expect(machineControlWarnings({ applied: true, baseline: [10], candidate: [10.9] }, "on side A")).toEqual(
      [],
    );
    const off = machineControlReport({ applied: false, reason: "the generator differs (client)" });
    expect(machineControlSentence(off)).toBe(
      "machine control: not applied, latency compared as measured (the generator differs (client))",
    );
  });
});

// Ten baseline runs and five candidates whose latency follows the machine's speed: e2e.p50 = 800 us x
// (cost / 12.5 us)^0.4, times a small wobble of its own, as the A/A compares of smoke measured.
const wobble = (i: number) => 1 + 0.01 * (((i * 7) % 10) / 9 - 0.5);
const runOf = (p50: number): MetricSource => ({
  throughput: throughput(5000),
  counts: fixtureCounts({}),
  latency: { e2e: fixtureBlock({ p50Us: p50, p99Us: p50 * 3 }) },
});
const costs = (centre: number, n: number) =>
  Array.from({ length: n }, (_, i) => centre * (1 + 0.04 * ((i % 5) - 2)));
const latencyAt = (cost: number, i: number, factor = 1) => 800 * (cost / 12.5) ** 0.4 * wobble(i) * factor;

describe("compareRuns with the machine control", () => {
  const settings = { alpha: DEFAULT_ALPHA, noiseFor: () => 0.05, seed: 1 };
  const baseCost = costs(12.5, 10);
  const slowCost = costs(16.25, 5);
  const base = baseCost.map((x, i) => runOf(latencyAt(x, i)));

  it("an A/A compare on a machine 30% slower: regressed as measured, no change at the baseline's speed", () => {
    const cand = slowCost.map((x, i) => runOf(latencyAt(x, i + 3)));
    const [measured] = compareRuns(base, cand, ["e2e.p50"], settings);
    expect(measured!.verdict).toBe("regressed");
    expect(measured!.machineAdjusted).toBeUndefined();
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: slowCost };
    const [adjusted] = compareRuns(base, cand, ["e2e.p50"], { ...settings, control });
    expect(adjusted!.verdict).toBe("no significant change");
    expect(adjusted!.machineAdjusted!.slope).toBeGreaterThan(0.3);
    expect(adjusted!.machineAdjusted!.slope).toBeLessThan(0.5);
    // The medians and the change stay as measured; the adjusted change is beside them.
    expect(adjusted!.candidateMedian).toBe(measured!.candidateMedian);
    expect(adjusted!.change).toBeCloseTo(measured!.change, 12);
    expect(Math.abs(adjusted!.machineAdjusted!.change)).toBeLessThan(0.01);
  });

  it("says which metric the machine explained: regressed as measured, not at the baseline's speed", () => {
    const cand = slowCost.map((x, i) => runOf(latencyAt(x, i + 3)));
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: slowCost };
    const compared = compareRuns(base, cand, ["e2e.p50"], { ...settings, control });
    expect(compared[0]!.machineAdjusted!.measured!.verdict).toBe("regressed");
    const [line] = machineExplainedWarnings(control, compared, "the baseline");
    expect(line).toMatch(
      /^e2e\.p50: \+10\.9% as measured reads regressed, [+-]0\.\d% at the baseline's machine speed does not, so it is not called regressed \(generator CPU per message \+30\.0% against the baseline\)/,
    );
  });

  it("never makes a verdict the runs as measured do not show: a faster machine with latency unchanged", () => {
    // The candidates' machine ran 30% faster, their latency as measured is the baseline's: at the
    // baseline's speed they would read about 8% slower, but the measurement shows no change.
    const fastCost = costs(12.5 / 1.3, 5);
    const cand = fastCost.map((_, i) => runOf(latencyAt(12.5, i + 3)));
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: fastCost };
    const [c] = compareRuns(base, cand, ["e2e.p50"], { ...settings, control });
    expect(c!.machineAdjusted!.change).toBeGreaterThan(0.05);
    expect(c!.machineAdjusted!.pValue).toBeLessThan(0.05);
    expect(c!.verdict).not.toBe("regressed");
    expect(c!.pValue).toBeGreaterThanOrEqual(c!.machineAdjusted!.measured!.pValue);
  });

  it("a real 20% regression on that slower machine is still regressed, by about 20%", () => {
    const cand = slowCost.map((x, i) => runOf(latencyAt(x, i + 3, 1.2)));
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: slowCost };
    const [c] = compareRuns(base, cand, ["e2e.p50", "throughput.publishedPerSec"], { ...settings, control });
    expect(c!.verdict).toBe("regressed");
    expect(c!.machineAdjusted!.change).toBeGreaterThan(0.18);
    expect(c!.machineAdjusted!.change).toBeLessThan(0.22);
  });

  it("holds its p-value and interval at every plausible slope: never below the point slope's, plus gamma", () => {
    const cand = slowCost.map((x, i) => runOf(latencyAt(x, i + 3, 1.1)));
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: slowCost };
    const [c] = compareRuns(base, cand, ["e2e.p50"], { ...settings, control });
    const m = c!.machineAdjusted!;
    // One metric: tested at alpha 0.05, so gamma is 0.005.
    expect(m.gamma).toBeCloseTo(0.005, 12);
    expect(m.slopeRange.low).toBeLessThan(m.slope);
    expect(m.slopeRange.high).toBeGreaterThan(m.slope);
    const atPoint = mannWhitneyU(m.candidateValues, m.baselineValues).pValue;
    expect(c!.rawPValue).toBeGreaterThanOrEqual(Math.min(1, atPoint + 0.005) - 1e-12);
    const point = hodgesLehmannChange(m.baselineValues, m.candidateValues, 0.95)!;
    expect(c!.interval.low).toBeLessThanOrEqual(point.low);
    expect(c!.interval.high).toBeGreaterThanOrEqual(point.high);
    // The resolution clears the shift the slope's uncertainty can make, on one fewer degree of freedom.
    expect(m.slopeShift).toBeGreaterThan(0);
  });

  it("keeps each value with its own run's control when a run lacks the metric", () => {
    // The first baseline run has no e2e block; its control (a wild 100 us) must not pair with the
    // second run's value. Paired right, latency follows the control exactly (slope 0.4, no spread).
    const exact = (x: number) => runOf(800 * (x / 12.5) ** 0.4);
    const bare: MetricSource = { ...runOf(1), latency: {} };
    const control: ControlPlan = {
      applied: true,
      baseline: [100, ...baseCost],
      candidate: slowCost,
    };
    const [c] = compareRuns([bare, ...baseCost.map(exact)], slowCost.map(exact), ["e2e.p50"], {
      ...settings,
      control,
    });
    expect(c!.machineAdjusted!.slope).toBeCloseTo(0.4, 9);
    expect(c!.machineAdjusted!.change).toBeCloseTo(0, 9);
  });

  it("compares as measured a design whose floor cannot pay gamma: one that only just reaches the level", () => {
    // Two metrics: Holm's first level is 0.025, gamma 0.0025. 3 baseline runs against 6 give a floor of
    // 2 / C(9, 3) = 0.0238: under 0.025 as measured, over it once gamma is added.
    const b3 = baseCost.slice(0, 3);
    const c6 = [...slowCost, 16.25];
    const bigger = (x: number, i: number) => runOf(latencyAt(x, i, 2));
    const baseRuns = b3.map((x, i) => runOf(latencyAt(x, i)));
    const candRuns = c6.map(bigger);
    const metrics = ["e2e.p50", "e2e.p99"];
    const measured = compareRuns(baseRuns, candRuns, metrics, settings);
    expect(measured[0]!.verdict).toBe("regressed");
    const control: ControlPlan = { applied: true, baseline: b3, candidate: c6 };
    const compared = compareRuns(baseRuns, candRuns, metrics, { ...settings, control });
    expect(compared.map((c) => [c.verdict, c.machineAdjusted])).toEqual([
      ["regressed", undefined],
      ["regressed", undefined],
    ]);
    expect(unadjustedWarnings(control, compared)).toHaveLength(1);
    // With 10 runs the same data can pay: adjusted, and still regressed.
    const c10 = [...c6, 16, 16.5, 16.1, 16.4];
    const [p50] = compareRuns(baseRuns, c10.map(bigger), metrics, {
      ...settings,
      control: { applied: true, baseline: b3, candidate: c10 },
    });
    expect(p50!.machineAdjusted).toBeDefined();
    expect(p50!.verdict).toBe("regressed");
  });

  it("names a metric it would adjust but compared as measured (a value at 0 has no logarithm)", () => {
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: slowCost };
    const zero = [runOf(0), ...base.slice(1)];
    const compared = compareRuns(
      zero,
      slowCost.map((x, i) => runOf(latencyAt(x, i))),
      ["e2e.p50"],
      {
        ...settings,
        control,
      },
    );
    expect(compared[0]!.machineAdjusted).toBeUndefined();
    expect(unadjustedWarnings(control, compared)).toEqual([
      "e2e.p50: compared as measured, not at the baseline's machine speed (a run's value is 0, which has no logarithm; the control did not vary between runs; or too few runs to pay for the slope's share of alpha)",
    ]);
    expect(unadjustedWarnings({ applied: false, reason: "x" }, compared)).toEqual([]);
  });

  it("leaves throughput as measured", () => {
    const cand = slowCost.map((x, i) => runOf(latencyAt(x, i)));
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: slowCost };
    const [, t] = compareRuns(base, cand, ["e2e.p50", "throughput.publishedPerSec"], {
      ...settings,
      control,
    });
    expect(t!.machineAdjusted).toBeUndefined();
  });
});

describe("baseline show's resolution with the control", () => {
  it("is the worse of the two a compare runs: as measured, and at one machine speed up to p95", () => {
    const fixture = fixtureBaseline();
    // Six runs (the fixture's three, twice) with pubAck.p50 of 10 to 15 ms (its p99 too), at 9k, 10k
    // and 11k msgs/s: enough for the rank test to reach Holm's first level.
    const p50s = [10, 12, 14, 11, 13, 15].map((ms) => ms * 1000);
    const b = {
      ...fixture,
      runs: [...fixture.runs, ...fixture.runs].map((r, i) => ({
        ...r,
        latency: { ...r.latency, pubAck: { ...r.latency.pubAck!, p50Us: p50s[i]!, p99Us: p50s[i]! } },
      })),
    };
    const asked = { candidateRuns: 5 };
    const of = (x: typeof b, metric: string) => summarizeBaseline(x, asked).find((s) => s.metric === metric)!;
    const rate = (i: number) => b.runs[i]!.throughput.publishedPerSec;
    // A generator cost (us a message) per run, as the CPU percent that gives it at the run's rate.
    const costing = (costUs: number[]) => ({
      ...b,
      runs: b.runs.map((r, i) => ({ ...r, generator: { cpuPercent: (costUs[i]! * rate(i)) / 1e4 } })),
    });
    const measured = of(b, "pubAck.p50").resolution!;
    // Costs that follow p50 within 2%: the adjusted spread is far smaller, the measured one the worse.
    const following = of(costing([1.0, 1.22, 1.37, 1.11, 1.29, 1.5]), "pubAck.p50");
    expect(following.median).toBe(of(b, "pubAck.p50").median);
    expect(following.resolution).toEqual(measured);
    // Costs that run against p50 (a negative slope, floored at 0): adjusting leaves the values as
    // they are but costs a degree of freedom (sd x sqrt(5/4)) and a tenth of the level, so the
    // adjusted one is the worse.
    const against = of(costing([1.5, 1.29, 1.11, 1.37, 1.22, 1.0]), "pubAck.p50").resolution!;
    expect(against.spreadLog).toBeCloseTo(measured.spreadLog! * Math.sqrt(5 / 4), 12);
    expect(against.level).toBeCloseTo(measured.level * 0.9, 12);
    expect(against.change!).toBeGreaterThan(measured.change!);
    // The tail is compared as measured only.
    const withCost = costing([1.5, 1.29, 1.11, 1.37, 1.22, 1.0]);
    expect(of(withCost, "pubAck.p99").resolution).toEqual(of(b, "pubAck.p99").resolution);
    const now = new Date("2026-11-20T12:00:00.000Z");
    expect(
      renderBaselineShow(costing([1.0, 1.25, 1.4, 1.1, 1.3, 1.5]), summarizeBaseline(b, asked), now),
    ).toContain(
      // The median of 1.0, 1.1, 1.25, 1.3, 1.4, 1.5 us is 1.275 us, to one decimal.
      "machine control: generator CPU per message 1.3 us (1.0 us to 1.5 us over the runs); a compare calls latency up to p95 regressed only when it is so both as measured and at the baseline's machine speed",
    );
    expect(renderBaselineShow(b, summarizeBaseline(b, asked), now)).toContain(
      "machine control: none, latency will be compared as measured (the baseline's runs do not record the generator's CPU (recorded before benchline kept it); record it again)",
    );
  });
});

describe("adjustsMetric", () => {
  it("adjusts latency up to p95, not its tail, not throughput or counts", () => {
    const adjusted = ["e2e.p50", "e2e.p95", "pubAck.mean", "kvGet.p90", "e2e.min"];
    const asMeasured = [
      "e2e.p99",
      "e2e.p999",
      "e2e.max",
      "throughput.consumedPerSec",
      "rates.lost",
      "faults.x.recoveryMs",
    ];
    expect(adjusted.map(adjustsMetric)).toEqual(adjusted.map(() => true));
    expect(asMeasured.map(adjustsMetric)).toEqual(asMeasured.map(() => false));
  });
});
