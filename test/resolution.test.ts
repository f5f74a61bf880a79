import { describe, expect, it } from "vitest";
import { compareRuns, DEFAULT_ALPHA, holmAdjust, holmSignificant } from "../src/baseline/compare.js";
import type { MetricSource } from "../src/baseline/metrics.js";
import { normalQuantile } from "../src/baseline/probability.js";
import {
  detectableShift,
  logSpread,
  metricResolution,
  noiseWarning,
  RANK_TEST_EFFICIENCY,
  relativeOfShift,
  runsToDetect,
  shiftOfRelative,
  verdictResolution,
} from "../src/baseline/resolution.js";
import { parsePercent, resolutionPlan, worstResolution } from "../src/commands/resolve.js";
import { fixtureBlock, fixtureCounts } from "./fixtures/run-result.js";

describe("power and sample size", () => {
  it("n per group = 2((z_0.975 + z_0.8) / d)^2 = 15.7 for d = 1", () => {
    const z = normalQuantile(0.975) + normalQuantile(0.8);
    expect(2 * z ** 2).toBeCloseTo(15.698, 3);
    // With the t distribution (few runs), 17 per group: G*Power's figure for d = 1, alpha 0.05, 80%.
    const detects = (n: number) =>
      detectableShift({ spreadLog: 1, baselineRuns: n, candidateRuns: n, level: 0.05, power: 0.8 }, 1) <= 1;
    expect(detects(16)).toBe(false);
    expect(detects(17)).toBe(true);
  });

  it("detectable shift = (t_{1-a/2} + t_power) s sqrt(1/n1 + 1/n2) / sqrt(3/pi) for the rank test", () => {
    const d = detectableShift({
      spreadLog: 0.1,
      baselineRuns: 10,
      candidateRuns: 5,
      level: 0.05,
      power: 0.8,
    });
    // df 13: t_0.975 = 2.160369, t_0.8 = 0.870202.
    const expected = ((2.160369 + 0.870202) * 0.1 * Math.sqrt(1 / 10 + 1 / 5)) / Math.sqrt(3 / Math.PI);
    expect(d).toBeCloseTo(expected, 5);
    expect(RANK_TEST_EFFICIENCY).toBeCloseTo(0.95493, 5);
  });

  it("is infinite below the rank test's p-value floor: 3 against 3 cannot reach 0.05, 4 against 4 can", () => {
    const at = (n: number, level: number) =>
      detectableShift({ spreadLog: 0.1, baselineRuns: n, candidateRuns: n, level, power: 0.8 });
    expect(at(3, 0.05)).toBe(Number.POSITIVE_INFINITY); // 2 / C(6,3) = 0.1
    expect(Number.isFinite(at(4, 0.05))).toBe(true); // 2 / C(8,4) = 0.029
    expect(at(4, 0.05 / 11)).toBe(Number.POSITIVE_INFINITY); // Holm's first level for 11 metrics
  });

  it("turns shifts into relative changes on the bad side", () => {
    expect(relativeOfShift(Math.log(1.2), "lower-is-better")).toBeCloseTo(0.2, 12);
    expect(relativeOfShift(Math.log(1.25), "higher-is-better")).toBeCloseTo(0.2, 12);
    expect(shiftOfRelative(0.2, "higher-is-better")).toBeCloseTo(Math.log(1.25), 12);
  });

  it("pools the log spread of both sides, each about its own mean", () => {
    expect(logSpread([Math.E, Math.E ** 3], [1, Math.E ** 2])).toBeCloseTo(Math.SQRT2, 12);
    expect(logSpread([1, 0, 2])).toBeNaN();
    expect(logSpread([5])).toBeNaN();
  });
});

const design = {
  spreadLog: 0.1,
  baselineRuns: 8,
  candidateRuns: 5,
  power: 0.8,
  testLevel: 0.05 / 10,
  intervalLevel: 0.05,
  noise: 0.05,
  direction: "lower-is-better" as const,
};

describe("the verdict's resolution", () => {
  it("is the test's, or the noise plus the interval's margin, whichever is larger", () => {
    const r = verdictResolution(design);
    const test = detectableShift({ ...design, level: design.testLevel });
    expect(r.test).toBeCloseTo(Math.expm1(test), 12);
    expect(r.verdict).toBeGreaterThanOrEqual(r.test);
    // A spread of nothing leaves the noise alone.
    const quiet = verdictResolution({ ...design, spreadLog: 1e-9 });
    expect(quiet.verdict).toBeCloseTo(0.05, 6);
    expect(quiet.test).toBeCloseTo(0, 6);
  });

  it("gives the fewest runs that detect a change, and none for a change within the noise", () => {
    const n = runsToDetect(0.2, design)!;
    expect(verdictResolution({ ...design, candidateRuns: n }).verdict).toBeLessThanOrEqual(0.2);
    expect(verdictResolution({ ...design, candidateRuns: n - 1 }).verdict).toBeGreaterThan(0.2);
    expect(runsToDetect(0.04, design)).toBeUndefined();
    // ab's rounds grow both sides: fewer rounds than candidates against a fixed 8-run baseline.
    const paired = runsToDetect(0.1, design, true)!;
    expect(paired).toBeGreaterThan(8);
    expect(runsToDetect(0.1, design)).toBeUndefined();
  });

  it("says why a metric has none, and warns of a noise threshold finer than the resolution", () => {
    const zeros = metricResolution({ ...design, base: [0, 0, 1], cand: [], candidateRuns: 5 });
    expect(zeros.change).toBeNull();
    expect(zeros.why).toMatch(/no relative scale/);
    const floor = metricResolution({ ...design, base: [10, 11, 12], cand: [10, 11, 12], candidateRuns: 3 });
    expect(floor.change).toBeNull();
    expect(floor.why).toMatch(/cannot reach p < 0.0050 with 3 and 3 runs/);
    const base = [100, 120, 90, 110, 105, 95, 130, 100];
    const r = metricResolution({ ...design, base, cand: [], candidateRuns: 5, detect: 0.3 });
    expect(r.detect?.runs).toBe(runsToDetect(0.3, { ...design, spreadLog: logSpread(base) }));
    const w = noiseWarning("e2e.p99", 0.05, r)!;
    expect(w).toContain(
      `noise 5.0% is below ${(r.testChange! * 100).toFixed(1)}%, the smallest change the test detects (power 80.0%) with 8 baseline and 5 candidate runs`,
    );
    expect(w).toContain('can only read "no significant change"');
    expect(noiseWarning("e2e.p99", 0.5, r)).toBeUndefined();
  });
});

describe("Holm at a sequential look", () => {
  it("is classical Holm at the identity: significant exactly where the adjusted p is below alpha", () => {
    const ps = [0.001, 0.04, 0.012, 0.3, 0.0125];
    const adjusted = holmAdjust(ps);
    expect(holmSignificant(ps, 0.05)).toEqual(adjusted.map((p) => p < 0.05));
  });

  it("tests each rank at the look's nominal level of its Holm level", () => {
    const ps = [0.001, 0.012];
    expect(holmSignificant(ps, 0.05, (a) => a / 10)).toEqual([true, false]);
    expect(holmSignificant(ps, 0.05, () => 0)).toEqual([false, false]);
  });
});

const run = (p99Us: number, perSec: number): MetricSource => ({
  throughput: {
    publishedPerSec: perSec,
    consumedPerSec: perSec,
    publishedBytesPerSec: 0,
    consumedBytesPerSec: 0,
  },
  counts: fixtureCounts(),
  latency: { pubAck: fixtureBlock({ p50Us: p99Us / 2, p99Us }) },
});

describe("compareRuns", () => {
  const base = [1000, 1040, 980, 1010, 1100, 990, 1020, 1005].map((v, i) => run(v, 5000 + i * 10));
  const cand = [1500, 1530, 1490, 1510, 1560].map((v) => run(v, 5000));
  const s = { alpha: DEFAULT_ALPHA, noiseFor: () => 0.05, seed: 1, detect: 0.1 };

  it("states every metric's resolution at Holm's first level", () => {
    const c = compareRuns(base, cand, ["pubAck.p99", "throughput.publishedPerSec"], s);
    const p99 = c.find((m) => m.metric === "pubAck.p99")!;
    expect(p99.verdict).toBe("regressed");
    expect(p99.resolution!.level).toBeCloseTo(0.025, 12);
    expect(p99.resolution!.change).toBeGreaterThan(0.05);
    expect(p99.resolution!.detect!.change).toBe(0.1);
    expect(worstResolution(c)).toBe(Math.max(...c.map((m) => m.resolution!.change!)));
  });

  it("at an early look, with little alpha spent, a clear regression may still not be significant", () => {
    const early = compareRuns(base, cand, ["pubAck.p99"], { ...s, nominal: (a) => a / 1000 });
    expect(early[0]!.verdict).toBe("insufficient data");
    expect(early[0]!.resolution!.change).toBeNull();
  });
});

describe("flags", () => {
  it("reads percentages and checks the plan in one line", () => {
    expect(parsePercent("resolution", "10%")).toBeCloseTo(0.1, 12);
    expect(parsePercent("detect", "2.5")).toBeCloseTo(0.025, 12);
    expect(() => parsePercent("detect", "ten")).toThrow(/--detect ten: give a percentage/);
    expect(resolutionPlan({ resolution: "10%" }, 5, 0.05)).toEqual({ target: 0.1, max: 20 });
    expect(() => resolutionPlan({ resolution: "5" }, 5, 0.05)).toThrow(/not above the noise threshold 5.0%/);
    expect(() => resolutionPlan({ resolution: "10", maxRepeat: 3 }, 5, 0.05)).toThrow(/--max-repeat must be/);
    expect(() => resolutionPlan({ maxRepeat: 3 }, 5, 0.05)).toThrow(/--max-repeat needs --resolution/);
  });
});
