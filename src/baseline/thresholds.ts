/**
 * Absolute thresholds a profile may carry: `thresholds: { "pubAck.p99": "< 20ms", "counts.lost": "== 0" }`.
 * Parsed once when the profile loads; checked on every run and compare.
 */
import type { Profile } from "../contract/profile.js";
import type { Operator, Threshold, ThresholdCheck } from "../contract/thresholds.js";
import { UsageError } from "../errors.js";
import { type MetricSource, metricInfo, metricValue, profileProduces } from "./metrics.js";

const LATENCY_UNITS_US: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000 };

export function parseThreshold(metric: string, text: string, file: string): Threshold {
  const info = metricInfo(metric);
  if (!info) {
    throw new UsageError(
      `${file}: thresholds: unknown metric "${metric}"; use e.g. pubAck.p99, e2e.p50, throughput.publishedPerSec, counts.lost, rates.publishErrors, faults.<name>.recoveryMs`,
    );
  }
  const m = /^\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-z%]*)\s*$/i.exec(text);
  if (!m) {
    throw new UsageError(
      `${file}: thresholds.${metric}: "${text}" is not a threshold; write an operator (<, <=, >, >=, ==, !=) and a value, e.g. "< 20ms"`,
    );
  }
  const [, op, num, unitRaw] = m as unknown as [string, Operator, string, string];
  const unit = unitRaw.toLowerCase();
  let limit = Number(num);
  if (info.unit === "us" || info.unit === "ms") {
    const factor = LATENCY_UNITS_US[unit];
    if (factor === undefined) {
      throw new UsageError(`${file}: thresholds.${metric}: "${text}" needs a time unit: us, ms or s`);
    }
    limit *= info.unit === "ms" ? factor / 1000 : factor;
  } else if (unit === "%" && info.unit === "ratio") {
    limit /= 100;
  } else if (unit !== "") {
    throw new UsageError(
      `${file}: thresholds.${metric}: unit "${unitRaw}" does not fit a ${info.unit} metric`,
    );
  }
  return { metric, op, limit, text: text.trim() };
}

/** Exit 2 before anything runs when a threshold names a metric the profile does not produce. */
export function checkThresholdsProduced(profile: Profile, thresholds: Threshold[], file: string): void {
  for (const t of thresholds) {
    if (!profileProduces(profile, t.metric)) {
      throw new UsageError(
        t.metric.startsWith("faults.")
          ? `${file}: thresholds.${t.metric}: the profile has no fault named ${t.metric.split(".")[1]}; name one of its faults`
          : `${file}: thresholds.${t.metric}: this profile produces no ${t.metric.split(".")[0]} measurements; remove the threshold or add the load that makes them`,
      );
    }
  }
}

function holds(actual: number, op: Operator, limit: number): boolean {
  switch (op) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}

/** Checks one threshold against a value in the metric's unit. */
export function checkThreshold(t: Threshold, actual: number): ThresholdCheck {
  return { ...t, actual, passed: holds(actual, t.op, t.limit) };
}

export function evaluateThresholds(run: MetricSource, thresholds: Threshold[]): ThresholdCheck[] {
  return thresholds.map((t) => checkThreshold(t, metricValue(run, t.metric) ?? Number.NaN));
}
