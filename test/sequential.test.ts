import { describe, expect, it } from "vitest";
import { normalCdf, normalQuantile, normalSf, tCdf, tQuantile } from "../src/baseline/probability.js";
import {
  classicalConstant,
  crossingProbabilities,
  obfSpending,
  obfSpendingPerSide,
  pocockSpending,
  SequentialDesign,
  SpendingBoundary,
  spendingBoundaries,
  twoSampleInformation,
} from "../src/baseline/sequential.js";

const five = [0.2, 0.4, 0.6, 0.8, 1];

describe("normal and t distributions", () => {
  it("gives the textbook quantiles", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 11);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 12);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 15);
    expect(normalCdf(0)).toBe(0.5);
    // Far tails keep their relative accuracy: 1 - Phi(6) = 9.8659e-10.
    expect(normalSf(6) / 9.865876450377e-10).toBeCloseTo(1, 9);
  });

  it("gives Student's t quantiles of the printed tables", () => {
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228138851986, 9);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.776445105198, 9);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.042272456301, 9);
    expect(tQuantile(0.95, 1)).toBeCloseTo(6.313751514675, 8);
    expect(tQuantile(0.8, 32)).toBeCloseTo(0.852998453652, 8);
    expect(tCdf(2.228138851986, 10)).toBeCloseTo(0.975, 12);
  });
});

describe("spending functions", () => {
  it("are Lan & DeMets' O'Brien-Fleming-type and Pocock-type functions, exactly", () => {
    // 2 - 2 Phi(1.959964 / sqrt(0.5)) = 2 - 2 Phi(2.771808).
    expect(obfSpending(0.5, 0.05)).toBeCloseTo(2 * normalSf(1.959963984540054 / Math.SQRT1_2), 15);
    expect(obfSpending(0.5, 0.05)).toBeCloseTo(0.0055746, 7);
    expect(obfSpending(0.2, 0.05)).toBeCloseTo(1.17264e-5, 9);
    expect(obfSpending(1, 0.05)).toBe(0.05);
    expect(obfSpending(0, 0.05)).toBe(0);
    // alpha/2 a side: 4 - 4 Phi(z_{0.9875} / sqrt(t)).
    expect(obfSpendingPerSide(0.2, 0.05)).toBeCloseTo(4 * normalSf(2.241402727604947 / Math.sqrt(0.2)), 15);
    expect(obfSpendingPerSide(1, 0.05)).toBeCloseTo(0.05, 15);
    expect(pocockSpending(0.5, 0.05)).toBeCloseTo(0.05 * Math.log(1 + (Math.E - 1) / 2), 15);
    expect(pocockSpending(0.5, 0.05)).toBeCloseTo(0.0310057, 7);
  });
});

describe("boundaries", () => {
  it("finds the classical constants of Jennison & Turnbull's tables 2.1 and 2.3 (K = 5, alpha 0.05)", () => {
    expect(classicalConstant(5, 0.05, () => 1)).toBeCloseTo(2.413, 3);
    const obf = classicalConstant(5, 0.05, (k) => Math.sqrt(5 / k));
    expect(obf).toBeCloseTo(2.04, 2);
    const bounds = [1, 2, 3, 4, 5].map((k) => obf * Math.sqrt(5 / k));
    [4.562, 3.226, 2.634, 2.281, 2.04].forEach((b, i) => {
      expect(bounds[i]).toBeCloseTo(b, 2);
    });
  });

  it("gives the published Lan-DeMets O'Brien-Fleming boundaries (K = 5, two-sided 0.05)", () => {
    // DeMets & Lan (1994); gsDesign sfLDOF and ldbounds print 4.877 3.357 2.680 2.290 2.031.
    const b = spendingBoundaries(five, 0.05, obfSpendingPerSide);
    [4.877, 3.357, 2.68, 2.29, 2.031].forEach((v, i) => {
      expect(b[i]).toBeCloseTo(v, 3);
    });
    // Close to, and ending a little below, the classical O'Brien-Fleming 2.040.
    expect(b[4]).toBeLessThan(2.04);
  });

  it("gives the Lan-DeMets Pocock-type boundaries (K = 5, two-sided 0.05)", () => {
    const b = spendingBoundaries(five, 0.05, pocockSpending);
    [2.438, 2.427, 2.41, 2.397, 2.386].forEach((v, i) => {
      expect(b[i]).toBeCloseTo(v, 3);
    });
  });

  it("spends exactly what the function allows at each look", () => {
    const b = spendingBoundaries(five, 0.05);
    const p = crossingProbabilities(five, b);
    let cumulative = 0;
    five.forEach((t, k) => {
      cumulative += p[k]!;
      expect(cumulative).toBeCloseTo(obfSpendingPerSide(t, 0.05), 6);
    });
  });

  it("takes unequal, unplanned looks one at a time, and equals the one-shot test at a single look", () => {
    expect(spendingBoundaries([1], 0.05)[0]).toBeCloseTo(1.959964, 5);
    const s = new SpendingBoundary(0.05);
    s.next(0.3);
    s.next(0.55);
    expect(s.bounds[0]).toBeGreaterThan(s.bounds[1]!);
    expect(() => s.next(0.5)).toThrow(RangeError);
    // Every look lowers the last one's nominal level below alpha, never above.
    s.next(1);
    expect(s.nominal).toBeLessThan(0.05);
    expect(s.nominal).toBeGreaterThan(0.04);
  });

  it("reads information from run counts, the baseline fixed: I = 1/(1/n1 + 1/n2)", () => {
    expect(twoSampleInformation(10, 10)).toBe(5);
    const d = new SequentialDesign(twoSampleInformation(10, 20));
    d.look(twoSampleInformation(10, 5));
    expect(d.fractions[0]).toBeCloseTo(3.3333 / 6.6667, 4);
    // Early, O'Brien-Fleming spends almost nothing: the nominal level is far below alpha.
    expect(d.nominal(0.05)).toBeLessThan(0.005);
    d.look(twoSampleInformation(10, 20));
    expect(d.nominal(0.05)).toBeGreaterThan(0.04);
    expect(d.nominal(0.05)).toBeLessThan(0.05);
  });
});
