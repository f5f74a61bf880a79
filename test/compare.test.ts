import { describe, expect, it } from "vitest";
import {
  compareMetric,
  compareRuns,
  DEFAULT_ALPHA,
  environmentWarnings,
  holmAdjust,
  metricsTestable,
  verdictOf,
} from "../src/baseline/compare.js";
import type { MetricSource } from "../src/baseline/metrics.js";
import { candidateRuns } from "../src/commands/compare.js";
import { fixtureBlock, fixtureCounts } from "./fixtures/run-result.js";

const settings = { alpha: DEFAULT_ALPHA, noiseFor: () => 0.05, seed: 1 };
const around = (center: number, spread: number, n = 10) =>
  Array.from({ length: n }, (_, i) => center + spread * (((i * 7) % n) / (n - 1) - 0.5));

describe("verdicts", () => {
  it("regressed: latency up 30%, significant, interval beyond the noise", () => {
    const c = compareMetric("pubAck.p99", around(1000, 40), around(1300, 40), settings);
    expect(c.verdict).toBe("regressed");
    expect(c.pValue).toBeLessThan(0.001);
    expect(c.interval.low).toBeGreaterThan(0.05);
    expect(c.change).toBeCloseTo(0.3, 2);
  });

  it("improved: throughput up 20%", () => {
    expect(
      compareMetric("throughput.publishedPerSec", around(10_000, 200), around(12_000, 200), settings).verdict,
    ).toBe("improved");
  });

  it("regressed: throughput down 20% (higher is better)", () => {
    expect(
      compareMetric("throughput.publishedPerSec", around(10_000, 200), around(8000, 200), settings).verdict,
    ).toBe("regressed");
  });

  it("within noise: a significant shift of 2%", () => {
    const c = compareMetric("e2e.p50", around(1000, 4), around(1020, 4), settings);
    expect(c.pValue).toBeLessThan(0.05);
    expect(c.verdict).toBe("within noise");
  });

  it("no significant change: the same distribution", () => {
    expect(compareMetric("e2e.p99", around(1000, 100), around(1000, 100).reverse(), settings).verdict).toBe(
      "no significant change",
    );
  });

  it("insufficient data: three runs a side can never reach alpha 0.05", () => {
    const c = compareMetric("e2e.p99", [1, 2, 3], [10, 11, 12], settings);
    expect(c.verdict).toBe("insufficient data");
    expect(Number.isNaN(c.pValue)).toBe(true);
  });

  it("a per-metric noise threshold decides between regressed and within noise", () => {
    const base = around(1000, 20);
    const cand = around(1080, 20);
    expect(compareMetric("pubAck.p50", base, cand, settings).verdict).toBe("regressed");
    expect(compareMetric("pubAck.p50", base, cand, { ...settings, noiseFor: () => 0.1 }).verdict).toBe(
      "within noise",
    );
  });

  it("verdictOf reads the interval against the noise on the right side", () => {
    expect(verdictOf(0.01, { low: 0.06, high: 0.2 }, 0.05, "lower-is-better", 0.05)).toBe("regressed");
    expect(verdictOf(0.01, { low: 0.04, high: 0.2 }, 0.05, "lower-is-better", 0.05)).toBe("within noise");
    expect(verdictOf(0.01, { low: -0.2, high: -0.06 }, 0.05, "higher-is-better", 0.05)).toBe("regressed");
    expect(verdictOf(0.2, { low: 0.5, high: 0.9 }, 0.05, "lower-is-better", 0.05)).toBe(
      "no significant change",
    );
  });
});

const run = (p99: number, rate: number, lost = 0): MetricSource => ({
  throughput: {
    publishedPerSec: rate,
    consumedPerSec: rate,
    publishedBytesPerSec: 0,
    consumedBytesPerSec: 0,
  },
  counts: fixtureCounts({ consumed: 1000 - lost, lost }),
  latency: {
    pubAck: fixtureBlock({ p50Us: 1, p99Us: p99 }),
  },
});

describe("compareRuns", () => {
  it("reads each metric from every run and skips metrics the baseline lacks", () => {
    const base = [900, 950, 1000, 1050, 1100].map((v) => run(v, 5000));
    const cand = [1900, 1950, 2000, 2050, 2100].map((v) => run(v, 5000, 10));
    const result = compareRuns(base, cand, ["pubAck.p99", "e2e.p99", "rates.lost"], settings);
    expect(result.map((r) => [r.metric, r.verdict])).toEqual([
      ["pubAck.p99", "regressed"],
      ["rates.lost", "regressed"],
    ]);
    expect(result[1]!.change).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("Holm-Bonferroni", () => {
  it("adjusts p-values for the number of metrics, keeping their order", () => {
    // sorted 0.01, 0.03, 0.04 -> 3 x 0.01 = 0.03, 2 x 0.03 = 0.06, max(0.06, 1 x 0.04) = 0.06
    const adjusted = holmAdjust([0.01, 0.04, 0.03]);
    expect(adjusted[0]).toBeCloseTo(0.03, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeCloseTo(0.06, 12);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
  });

  it("a lone borderline difference among many metrics is not a regression", () => {
    const base = [900, 950, 1000, 1050, 1100].map((v) => run(v, 5000));
    // p99 up 12% with one overlapping pair: U = 1, p = 2 x 2/252 = 0.016 alone; x 5 metrics = 0.079.
    const cand = [1060, 1110, 1120, 1130, 1140].map((v) => run(v, 5000));
    const metrics = [
      "pubAck.p99",
      "throughput.publishedPerSec",
      "throughput.consumedPerSec",
      "rates.lost",
      "rates.publishErrors",
    ];
    const [p99] = compareRuns(base, cand, metrics, settings);
    expect(p99!.rawPValue).toBeCloseTo(4 / 252, 10);
    expect(p99!.pValue).toBeCloseTo(20 / 252, 10);
    expect(p99!.verdict).toBe("no significant change");
  });
});

describe("environment warnings", () => {
  it("names each field that differs", () => {
    const env = {
      host: "a",
      cpus: 2,
      node: "v20",
      benchline: "0.1.0",
      client: "nats.js 3.4.0",
      serverVersion: "2.9.10",
      clusterSize: 1,
      embeddedServer: true,
    };
    expect(environmentWarnings(env, { ...env, cpus: 8, serverVersion: "2.10.1" })).toEqual([
      "server version differs: baseline 2.9.10, candidate 2.10.1",
      "CPUs differs: baseline 2, candidate 8",
    ]);
  });
});

describe("how many candidate runs compare makes", () => {
  // 3 baseline runs: against 5 candidates one metric can reach 0.05 (2/56), four need 8 runs (2/165 x 4).
  it("a 3-run baseline, as baseline record accepts, compares under the default: with the runs it needs", () => {
    expect(candidateRuns("b.json", 3, 1, {})).toEqual({ count: 5 });
    expect(candidateRuns("b.json", 3, 4, {})).toEqual({
      count: 8,
      note: "b.json holds 3 runs: running 8 candidates instead of 5, the fewest with which 4 metrics can reach significance at 0.05 (--repeat sets the count)",
    });
    expect(candidateRuns("b.json", 10, 8, {})).toEqual({ count: 5 });
  });

  it("an explicit --repeat too small for the baseline: the --repeat and --metric that would do", () => {
    expect(() => candidateRuns("b.json", 3, 4, { repeat: 5 })).toThrow(
      "b.json holds 3 runs; against 5 candidate runs no difference in 4 metrics can reach significance at 0.05 (Holm-adjusted); use --repeat 8 or more, or name at most 1 with --metric",
    );
    expect(candidateRuns("b.json", 3, 4, { repeat: 8 })).toEqual({ count: 8 });
    expect(() => candidateRuns("b.json", 3, 1, { repeat: 0 })).toThrow(
      "--repeat must be a whole number of at least 1, not 0",
    );
  });

  it("--candidate files: how many files would do, never a --repeat that does not apply", () => {
    const refused = () => candidateRuns("b.json", 3, 4, { files: 5 });
    expect(refused).toThrow(
      "b.json holds 3 runs; against 5 candidate files no difference in 4 metrics can reach significance at 0.05 (Holm-adjusted); give 8 or more --candidate files, or name at most 1 with --metric",
    );
    expect(refused).not.toThrow(/--repeat/);
    expect(candidateRuns("b.json", 3, 1, { files: 5 })).toEqual({ count: 5 });
    // Even a given --repeat does not raise the count of files.
    expect(() => candidateRuns("b.json", 3, 4, { files: 5, repeat: 9 })).toThrow(
      "give 8 or more --candidate files",
    );
  });

  it("metricsTestable: how many Holm-adjusted metrics the run counts allow", () => {
    expect(metricsTestable(3, 5)).toBe(1);
    expect(metricsTestable(3, 8)).toBe(4);
    expect(metricsTestable(2, 2)).toBe(0);
    expect(metricsTestable(5, 6)).toBe(11);
  });
});
