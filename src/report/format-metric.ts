/** How a metric's value reads in reports: latency in us/ms/s, rates as percentages, counts as numbers. */
import { metricInfo } from "../baseline/metrics.js";
import { formatBytes, formatCount, formatUs } from "../util/units.js";

export function formatMetric(metric: string, value: number): string {
  // A recovery that never came is infinitely long; say so in words.
  if (value === Number.POSITIVE_INFINITY && metricInfo(metric)?.unit === "ms") return "never";
  if (!Number.isFinite(value)) return String(value);
  switch (metricInfo(metric)?.unit) {
    case "us":
      return formatUs(value);
    case "ms":
      return formatUs(value * 1000);
    case "ratio":
      return `${(value * 100).toFixed(value === 0 ? 0 : 3)}%`;
    case "bytes/s":
      return `${formatBytes(value)}/s`;
    case "msgs/s":
      return `${formatCount(value)}/s`;
    default:
      return String(Math.round(value * 1000) / 1000);
  }
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? "+inf%" : "-inf%";
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)}%`;
}
