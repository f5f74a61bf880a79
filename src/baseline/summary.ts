/** Medians and spreads of a baseline's runs, for `baseline show` and after `baseline record`. */

import { DEFAULT_ALPHA, DEFAULT_NOISE } from "./compare.js";
import type { Baseline } from "./format.js";
import { adjustForMachine } from "./machine-adjust.js";
import { adjustsMetric, baselineControl } from "./machine-control.js";
import { defaultCompareMetrics, metricInfo, metricValue } from "./metrics.js";
import { type MetricResolution, metricResolution, worseResolution } from "./resolution.js";
import { median, quantile } from "./stats.js";

/** Median and spread of each default metric across a baseline's runs. */
export interface MetricSpread {
  metric: string;
  median: number;
  min: number;
  max: number;
  iqrLow: number;
  iqrHigh: number;
  /** What a compare of `candidateRuns` against this baseline would resolve, from the baseline's spread. */
  resolution?: MetricResolution;
}

/** For the resolution: how many candidates a compare would run, and a change to give the runs for. */
export interface ResolutionAsked {
  candidateRuns: number;
  detect?: number;
  noise?: number;
}

export function summarizeBaseline(b: Baseline, asked?: ResolutionAsked): MetricSpread[] {
  const metrics = defaultCompareMetrics(b.profile);
  const valuesOf = (metric: string) =>
    b.runs.map((r) => metricValue(r, metric)).filter((v): v is number => v !== undefined);
  // Where the control applies a compare also tests latency's body at the baseline's machine speed,
  // and calls a change only when both tests do: the resolution is the worse of the two. The slope
  // costs the adjusted residuals a degree of freedom and gamma a tenth of the level; a candidate
  // machine that moved would widen the adjusted one further, which only a compare knows.
  const control = baselineControl(b.profile, b.runs);
  const adjustedOf = (metric: string, values: number[]) => {
    const paired = b.runs.every((r) => metricValue(r, metric) !== undefined);
    return "values" in control && adjustsMetric(metric) && paired
      ? adjustForMachine(values, control.values, [], [])
      : undefined;
  };
  // As compare's Holm: the first of the m metrics with values is tested at alpha / m.
  const tested = metrics.filter((m) => valuesOf(m).length > 0).length;
  return metrics.flatMap((metric) => {
    const values = valuesOf(metric);
    if (values.length === 0) return [];
    const design = asked && {
      base: values,
      cand: [],
      candidateRuns: asked.candidateRuns,
      testLevel: DEFAULT_ALPHA / tested,
      intervalLevel: DEFAULT_ALPHA,
      noise: asked.noise ?? DEFAULT_NOISE,
      direction: metricInfo(metric)!.direction,
      detect: asked.detect,
    };
    const fit = design && adjustedOf(metric, values);
    const resolution =
      design &&
      worseResolution(
        metricResolution(design),
        fit &&
          metricResolution({
            ...design,
            base: fit.base,
            testLevel: design.testLevel * 0.9,
            machine: { fitted: 1, slopeShift: 0 },
          }),
      );
    return [
      {
        metric,
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
        iqrLow: quantile(values, 0.25),
        iqrHigh: quantile(values, 0.75),
        ...(resolution && { resolution }),
      },
    ];
  });
}
