import { describe, expect, it } from "vitest";
import {
  bootstrapMedianChange,
  hodgesLehmannChange,
  mannWhitneyU,
  median,
  minAttainablePValue,
  quantile,
  rankIntervalIndex,
  relativeChange,
} from "../src/baseline/stats.js";

describe("Mann-Whitney U", () => {
  // Critical values of U for a two-sided test at alpha 0.05 (the standard published table):
  // n1 = n2 = 4: 0; 5: 2; 6: 5; 8: 13; 10: 23. U at the critical value is significant, one above is not.
  it.each([
    [4, 0],
    [5, 2],
    [6, 5],
    [8, 13],
    [10, 23],
  ])("n1 = n2 = %d: critical U is %d", (n, critical) => {
    // y at 10, 20, ..; each x value sits above c of them, the c summing to u, so U = u exactly.
    const sampleWithU = (u: number) => {
      const y = Array.from({ length: n }, (_, j) => 10 * (j + 1));
      let left = u;
      const x = Array.from({ length: n }, (_, i) => {
        const c = Math.min(n, left);
        left -= c;
        return 10 * c + 5 + i * 0.001;
      });
      return { x, y };
    };
    const at = sampleWithU(critical);
    const above = sampleWithU(critical + 1);
    expect(mannWhitneyU(at.x, at.y).u).toBe(critical);
    expect(mannWhitneyU(above.x, above.y).u).toBe(critical + 1);
    expect(mannWhitneyU(at.x, at.y).pValue).toBeLessThanOrEqual(0.05);
    expect(mannWhitneyU(above.x, above.y).pValue).toBeGreaterThan(0.05);
  });

  // Expected values are scipy.stats.mannwhitneyu's (1.17, method "exact" or "asymptotic").
  it("gives the exact p-values of small samples", () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6])).toEqual({ u: 0, pValue: 0.1, method: "exact" });
    const r = mannWhitneyU([1, 2, 3, 4, 5.5], [5, 6, 7, 8, 9]);
    expect(r.u).toBe(1);
    expect(r.pValue).toBeCloseTo(0.015873015873015872, 12);
    const t = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(t.u).toBe(17);
    expect(t.pValue).toBeCloseTo(0.1111111111111111, 12);
  });

  it("uses the normal approximation beyond 20 values", () => {
    const x = Array.from({ length: 22 }, (_, i) => i + 1);
    const y = [5.5, 6.5, ...Array.from({ length: 20 }, (_, i) => 30 + i)];
    const r = mannWhitneyU(x, y);
    expect(r).toMatchObject({ u: 33, method: "normal" });
    expect(r.pValue).toBeCloseTo(9.87854449491979e-7, 8);
  });

  // Expected: the exact permutation p-value with midranks, by enumerating every subset in Python.
  it("gives exact p-values with ties too", () => {
    const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5, 5]);
    expect(r).toMatchObject({ u: 2.5, method: "exact" });
    expect(r.pValue).toBeCloseTo(0.1111111111111111, 12);
    // Quantized HDR percentiles: ties within one sample, none across. Complete separation of 6 and 5
    // runs is p = 2 / C(11, 5) = 0.00433 exactly (the normal approximation would say 0.0074).
    const q = mannWhitneyU([40287, 40191, 40191, 40223, 40191, 40223], [133, 121, 149, 131, 140]);
    expect(q.u).toBe(30);
    expect(q.pValue).toBeCloseTo(2 / 462, 12);
  });

  it("knows when too few runs can never reach alpha 0.05", () => {
    expect(minAttainablePValue(3, 3)).toBeCloseTo(0.1, 10);
    expect(minAttainablePValue(4, 4)).toBeCloseTo(2 / 70, 10);
    expect(minAttainablePValue(2, 10)).toBeCloseTo(2 / 66, 10);
  });
});

describe("Hodges-Lehmann interval", () => {
  // The interval [D(k), D(n1 n2 + 1 - k)] at 95%: k is one above the two-sided 0.05 critical value of U
  // in the published tables (the same table as the test's above; Hollander & Wolfe give C = 3 for 5 and
  // 5, at confidence 0.968).
  it.each([
    [5, 5, 3],
    [6, 6, 6],
    [8, 8, 14],
    [10, 10, 24],
    [10, 5, 9],
    [20, 20, 128],
  ])("n1 = %d, n2 = %d at 95%%: k = %d", (n1, n2, k) => {
    expect(rankIntervalIndex(n1, n2, 0.95)).toBe(k);
  });

  it("is unbounded where no k reaches the confidence, and follows the normal approximation beyond 20", () => {
    expect(rankIntervalIndex(3, 3, 0.95)).toBe(0);
    expect(hodgesLehmannChange([1, 2, 3], [1, 2, 3])).toEqual({ low: -1, high: Number.POSITIVE_INFINITY });
    // 30 and 30: 450 - 1.959964 * sqrt(900 * 61 / 12) = 317.4, so k = 317.
    expect(rankIntervalIndex(30, 30, 0.95)).toBe(317);
  });

  it("reads the pairwise ratios: a candidate at twice the baseline", () => {
    // ln(y) - ln(x) = (j - i + 1) ln 2 for base 2^i and cand 2^(j+1): the 25 differences are -3..5 times
    // ln 2, with counts 1 2 3 4 5 4 3 2 1; D(3) = -2 ln 2, D(23) = 4 ln 2.
    const base = [1, 2, 4, 8, 16];
    const cand = base.map((v) => 2 * v);
    const iv = hodgesLehmannChange(base, cand, 0.95)!;
    expect(iv.low).toBeCloseTo(2 ** -2 - 1, 12);
    expect(iv.high).toBeCloseTo(2 ** 4 - 1, 12);
  });

  it("has no relative scale for values at 0", () => {
    expect(hodgesLehmannChange([0, 1, 2], [1, 2, 3])).toBeUndefined();
  });
});

describe("bootstrap interval", () => {
  it("is reproducible with a seed and brackets the observed change", () => {
    const base = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101];
    const cand = [120, 122, 119, 121, 118, 120, 123, 117, 120, 121];
    const a = bootstrapMedianChange(base, cand, { seed: 7 });
    const b = bootstrapMedianChange(base, cand, { seed: 7 });
    expect(a).toEqual(b);
    expect(a.low).toBeGreaterThan(0.15);
    expect(a.high).toBeLessThan(0.26);
    expect(a.low).toBeLessThanOrEqual(relativeChange(median(base), median(cand)));
    expect(a.high).toBeGreaterThanOrEqual(relativeChange(median(base), median(cand)));
  });

  it("pins the interval for a fixed seed", () => {
    const r = bootstrapMedianChange([10, 11, 12, 13, 14], [12, 13, 14, 15, 16], {
      seed: 42,
      resamples: 1000,
    });
    expect([Number(r.low.toFixed(4)), Number(r.high.toFixed(4))]).toMatchInlineSnapshot(`
      [
        -0.0714,
        0.4545,
      ]
    `);
  });
});

describe("helpers", () => {
  it("median, quantile and relative change", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(relativeChange(200, 150)).toBe(-0.25);
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(0, 3)).toBe(Number.POSITIVE_INFINITY);
  });
});
