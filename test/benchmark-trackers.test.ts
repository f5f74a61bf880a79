/**
 * bencher.json and github-benchmark-*.json against what reads them: Bencher's BMF schema and measure
 * rules, and github-action-benchmark's own input schema and range parser (test/fixtures/upstream).
 */
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import type { MetricInfo } from "../src/baseline/metrics.js";
import type { CompareReport } from "../src/baseline/report-model.js";
import { BENCHER_MEASURES, renderBencher } from "../src/report/bencher.js";
import { renderBiggerIsBetter, renderSmallerIsBetter } from "../src/report/github-benchmark.js";
import { fixtureCompareReport } from "./fixtures/compare-report.js";
import bmfSchema from "./fixtures/upstream/bencher/bmf.json" with { type: "json" };
import { BenchmarkResults } from "./fixtures/upstream/github-action-benchmark/extract.js";
import { extractRangeInfo } from "./fixtures/upstream/github-action-benchmark/extractRangeInfo.js";
import { normalizeBenchmarkResult } from "./fixtures/upstream/github-action-benchmark/normalizeBenchmarkResult.js";

const report = fixtureCompareReport();

/** Bencher's built-in measures and their units (lib/bencher_json/src/project/measure/built_in.rs). */
const BENCHER_BUILT_IN: Record<string, string> = {
  latency: "nanoseconds (ns)",
  throughput: "operations / second (ops/s)",
};

/** Bencher's slug rule (lib/bencher_valid/src/slug.rs): at most 64 characters, unchanged by slugify. */
const isBencherSlug = (s: string) => s.length <= 64 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(s);

/** One metric of every unit benchline has, so every measure is written once. */
function everyUnit(): CompareReport {
  const [latency, throughput] = report.metrics as [CompareReport["metrics"][0], CompareReport["metrics"][0]];
  const more = (metric: string, unit: MetricInfo["unit"], values: number[]) => ({
    ...throughput,
    metric,
    unit,
    candidateValues: values,
    candidateMedian: values[1]!,
  });
  return {
    ...report,
    metrics: [
      latency,
      throughput,
      more("throughput.publishedBytesPerSec", "bytes/s", [1_280_000, 1_281_000, 1_282_000]),
      more("counts.lost", "count", [0, 2, 5]),
      more("rates.publishErrors", "ratio", [0, 0.0001, 0.0003]),
    ],
  };
}

describe("Bencher Metric Format", () => {
  const validate = new Ajv({ strict: false }).compile(bmfSchema);

  it("one benchmark per metric, latency in nanoseconds and throughput in messages per second", () => {
    expect(JSON.parse(renderBencher(report))).toEqual({
      "smoke pubAck.p99": { latency: { value: 1_450_000, lower_value: 1_400_000, upper_value: 1_500_000 } },
      "smoke throughput.publishedPerSec": {
        throughput: { value: 10_020, lower_value: 9990, upper_value: 10_050 },
      },
    });
  });

  it("validates against Bencher's BMF schema, which refuses a value that is not a number", () => {
    const bmf = JSON.parse(renderBencher(everyUnit()));
    expect(validate(bmf), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ "smoke pubAck.p99": { latency: { value: "1450000" } } })).toBe(false);
  });

  it("names every measure with a slug Bencher takes; latency and throughput are Bencher's own", () => {
    const bmf = JSON.parse(renderBencher(everyUnit())) as Record<string, Record<string, unknown>>;
    const slugs = Object.values(bmf).flatMap((measures) => Object.keys(measures));
    expect(slugs).toEqual(["latency", "throughput", "bytes-per-second", "count", "fraction"]);
    expect(slugs.filter((s) => !isBencherSlug(s))).toEqual([]);
    expect(isBencherSlug("pubAck.p99")).toBe(false);
    expect(BENCHER_BUILT_IN[BENCHER_MEASURES.us.slug]).toBe("nanoseconds (ns)");
    expect(BENCHER_MEASURES.us.perUnit).toBe(1000);
    expect(BENCHER_BUILT_IN[BENCHER_MEASURES["msgs/s"].slug]).toBe("operations / second (ops/s)");
  });

  it("converts microseconds without floating-point noise", () => {
    const odd = {
      ...report,
      metrics: [{ ...report.metrics[0]!, candidateValues: [16.1], candidateMedian: 16.1 }],
    };
    expect(JSON.parse(renderBencher(odd))["smoke pubAck.p99"].latency.value).toBe(16_100);
  });
});

describe("github-action-benchmark", () => {
  const smaller = JSON.parse(renderSmallerIsBetter(report));
  const bigger = JSON.parse(renderBiggerIsBetter(report));

  it("parses as the action's input, split by direction", () => {
    expect(BenchmarkResults.parse(smaller)).toEqual([
      {
        name: "smoke pubAck.p99",
        unit: "us",
        value: 1450,
        range: "± 50",
        extra:
          "3 runs from 1400 to 1500; verdict regressed against baseline 2026-11-20T10:00:00.000Z\nwarning: server version differs: baseline 2.9.10, candidate 2.10.1",
      },
    ]);
    expect(BenchmarkResults.parse(bigger).map((e) => [e.name, e.range])).toEqual([
      ["smoke throughput.publishedPerSec", "± 30"],
    ]);
  });

  it("writes a range the action reads, and rescales with the value when the unit changes", () => {
    expect(extractRangeInfo(smaller[0].range)).toEqual({ prefix: "± ", value: 50 });
    // What benchline wrote before: the action kept it as text and never rescaled it.
    expect(extractRangeInfo("1400..1500")).toBeUndefined();
    const previous = { name: "smoke pubAck.p99", unit: "ms", value: 1.4 };
    expect(normalizeBenchmarkResult(previous, smaller[0])).toMatchObject({
      unit: "ms",
      value: 1.45,
      range: "± 0.05",
    });
  });

  it("covers every run: the farthest run from the median, without floating-point noise", () => {
    const skewed = {
      ...report,
      metrics: [{ ...report.metrics[0]!, candidateValues: [1400, 1450.1, 1460], candidateMedian: 1450.1 }],
    };
    expect(JSON.parse(renderSmallerIsBetter(skewed))[0].range).toBe("± 50.1");
  });
});
