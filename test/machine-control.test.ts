import { describe, expect, it } from "vitest";
import { compareRuns, DEFAULT_ALPHA } from "../src/baseline/compare.js";
import {
  adjustForMachine,
  adjustsMetric,
  type ControlPlan,
  closedLoopPart,
  generatorCostUs,
  machineControlReport,
  machineControlWarnings,
  planMachineControl,
  plausibleSlopes,
  slopeShiftWidth,
} from "../src/baseline/machine-control.js";
import type { MetricSource } from "../src/baseline/metrics.js";
import { hodgesLehmannChange, mannWhitneyU } from "../src/baseline/stats.js";
import { summarizeBaseline } from "../src/baseline/summary.js";
import type { RunEnv } from "../src/contract/env.js";
import { parseProfileText } from "../src/profile/loader.js";
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
    const slopes = plausibleSlopes(fit, 0.05);
    const half = 4.302653 * fit.slopeSe;
    expect(slopes[0]).toBeCloseTo(0.5 - half, 5);
    expect(slopes.at(-1)).toBeCloseTo(0.5 + half, 5);
    expect(slopes).toContain(0.5);
    expect(slopeShiftWidth(fit, 0.05)).toBeCloseTo(0.124209, 5);
  });

  it("floors the range at 0: a slope below it is not plausible", () => {
    // One side, ln x 0, 1, 2 and ln y 0, 0.6, 1.0: slope 0.5, SE 0.057735 on 1 df; t 12.706 at 95%
    // reaches below 0, so the range starts there.
    const one = adjustForMachine([e(0), e(0.6), e(1)], [e(0), e(1), e(2)], [], [])!;
    expect(one.slopeSe).toBeCloseTo(0.057735, 6);
    const slopes = plausibleSlopes(one, 0.05);
    expect(slopes[0]).toBe(0);
    expect(slopes.at(-1)).toBeCloseTo(0.5 + 12.7062 * 0.057735, 3);
    expect(slopeShiftWidth(one, 0.05)).toBe(0);
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
      `the machine ran benchline's own work 30% slower than when the baseline was recorded (generator CPU per message 12.5 -> 16.3 us): latency verdicts are at the baseline's machine speed (docs/compare-in-ci.md, "The machine control")`,
    ]);
    expect(machineControlSentence(r)).toBe(
      "machine control: generator CPU per message 12.5 us on the baseline's side, 16.3 us on the candidate's (+30.0%); latency changes, intervals and verdicts are at the baseline's machine speed",
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
    // The measured medians stay as measured; the change is the adjusted one.
    expect(adjusted!.candidateMedian).toBe(measured!.candidateMedian);
    expect(adjusted!.machineAdjusted!.unadjustedChange).toBeCloseTo(measured!.change, 12);
    expect(Math.abs(adjusted!.change)).toBeLessThan(0.01);
  });

  it("a real 20% regression on that slower machine is still regressed, by about 20%", () => {
    const cand = slowCost.map((x, i) => runOf(latencyAt(x, i + 3, 1.2)));
    const control: ControlPlan = { applied: true, baseline: baseCost, candidate: slowCost };
    const [c] = compareRuns(base, cand, ["e2e.p50", "throughput.publishedPerSec"], { ...settings, control });
    expect(c!.verdict).toBe("regressed");
    expect(c!.change).toBeGreaterThan(0.18);
    expect(c!.change).toBeLessThan(0.22);
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
    expect(c!.change).toBeCloseTo(0, 9);
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
  it("is stated from the spread left once the machine's speed is taken out, up to p95", () => {
    const fixture = fixtureBaseline();
    // The fixture's three runs with pubAck.p50 of 10, 12 and 14 ms (its p99 too).
    const b = {
      ...fixture,
      runs: fixture.runs.map((r) => ({
        ...r,
        latency: { ...r.latency, pubAck: { ...r.latency.pubAck!, p50Us: r.latency.pubAck!.p99Us } },
      })),
    };
    const asked = { candidateRuns: 5 };
    const of = (x: typeof b, metric: string) => summarizeBaseline(x, asked).find((s) => s.metric === metric)!;
    // Generator costs of 1.0, 1.25 and 1.4 us a message (at 9k, 10k, 11k msgs/s): ln p50 on ln cost has
    // slope 0.975 (least squares); the sd of ln p50 falls from 0.1684 to 0.0328 (worked by hand: residual
    // sum of squares 0.001073 on 3 - 2 = 1 df).
    const cpuPercent = [0.9, 1.25, 1.54];
    const withCost = {
      ...b,
      runs: b.runs.map((r, i) => ({ ...r, generator: { cpuPercent: cpuPercent[i]! } })),
    };
    expect(of(withCost, "pubAck.p50").median).toBe(of(b, "pubAck.p50").median);
    expect(of(b, "pubAck.p50").resolution!.spreadLog).toBeCloseTo(0.1684, 4);
    expect(of(withCost, "pubAck.p50").resolution!.spreadLog).toBeCloseTo(0.0328, 4);
    // The tail is left as measured.
    expect(of(withCost, "pubAck.p99").resolution!.spreadLog).toBeCloseTo(0.1684, 4);
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
