import { describe, expect, it } from "vitest";
import { evaluateThresholds, parseThreshold } from "../src/baseline/thresholds.js";
import { parseProfileText } from "../src/profile/loader.js";
import { fixtureBlock, fixtureCounts } from "./fixtures/run-result.js";

const run = {
  throughput: {
    publishedPerSec: 9500,
    consumedPerSec: 9400,
    publishedBytesPerSec: 0,
    consumedBytesPerSec: 0,
  },
  counts: fixtureCounts({ consumed: 998, publishErrors: { timeout: 2 }, lost: 2 }),
  latency: {
    pubAck: fixtureBlock({ p50Us: 800, p99Us: 25_000 }),
  },
};

describe("thresholds", () => {
  it("parses operators and units into the metric's own unit", () => {
    expect(parseThreshold("pubAck.p99", "< 20ms", "p.yaml")).toEqual({
      metric: "pubAck.p99",
      op: "<",
      limit: 20_000,
      text: "< 20ms",
    });
    expect(parseThreshold("e2e.p50", "<=1.5s", "p.yaml").limit).toBe(1_500_000);
    expect(parseThreshold("throughput.publishedPerSec", ">= 9000", "p.yaml").limit).toBe(9000);
    expect(parseThreshold("rates.publishErrors", "< 0.1%", "p.yaml").limit).toBeCloseTo(0.001, 12);
  });

  it("checks each against a run", () => {
    const checks = evaluateThresholds(run, [
      parseThreshold("pubAck.p99", "< 20ms", "p"),
      parseThreshold("throughput.publishedPerSec", ">= 9000", "p"),
      parseThreshold("counts.lost", "== 0", "p"),
      parseThreshold("counts.publishErrors", "<= 2", "p"),
    ]);
    expect(checks.map((c) => [c.metric, c.actual, c.passed])).toEqual([
      ["pubAck.p99", 25_000, false],
      ["throughput.publishedPerSec", 9500, true],
      ["counts.lost", 2, false],
      ["counts.publishErrors", 2, true],
    ]);
  });

  it.each([
    [
      "pubAck.p99",
      "~ 20ms",
      'p.yaml: thresholds.pubAck.p99: "~ 20ms" is not a threshold; write an operator (<, <=, >, >=, ==, !=) and a value, e.g. "< 20ms"',
    ],
    ["pubAck.p99", "< 20", 'p.yaml: thresholds.pubAck.p99: "< 20" needs a time unit: us, ms or s'],
    [
      "pubAck.p99",
      "< 20parsecs",
      'p.yaml: thresholds.pubAck.p99: "< 20parsecs" needs a time unit: us, ms or s',
    ],
    ["counts.lost", "== 0ms", 'p.yaml: thresholds.counts.lost: unit "ms" does not fit a count metric'],
    [
      "pubAck.p42",
      "< 1ms",
      'p.yaml: thresholds: unknown metric "pubAck.p42"; use e.g. pubAck.p99, e2e.p50, throughput.publishedPerSec, counts.lost, rates.publishErrors',
    ],
  ])("refuses %s %j", (metric, text, message) => {
    expect(() => parseThreshold(metric, text, "p.yaml")).toThrow(message);
  });

  it("refuses, at load time, a threshold on a metric the profile does not produce", () => {
    const text = `publishers: [{mode: core, subject: a, rate: 10}]\nconsumers: [{kind: core, subject: a}]\nthresholds:\n  pubAck.p99: "< 20ms"\n`;
    expect(() => parseProfileText(text, "p.yaml", {})).toThrow(
      "p.yaml: thresholds.pubAck.p99: this profile produces no pubAck measurements; remove the threshold or add the load that makes them",
    );
  });
});
