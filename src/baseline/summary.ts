/** Medians and spreads of a baseline's runs, for `baseline show` and after `baseline record`. */
import type { Baseline } from "./format.js";
import { defaultCompareMetrics, metricValue } from "./metrics.js";
import { median, quantile } from "./stats.js";

/** Median and spread of each default metric across a baseline's runs. */
export interface MetricSpread {
  metric: string;
  median: number;
  min: number;
  max: number;
  iqrLow: number;
  iqrHigh: number;
}

export function summarizeBaseline(b: Baseline): MetricSpread[] {
  return defaultCompareMetrics(b.profile).flatMap((metric) => {
    const values = b.runs.map((r) => metricValue(r, metric)).filter((v): v is number => v !== undefined);
    if (values.length === 0) return [];
    return [
      {
        metric,
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
        iqrLow: quantile(values, 0.25),
        iqrHigh: quantile(values, 0.75),
      },
    ];
  });
}
