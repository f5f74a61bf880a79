/**
 * Absolute thresholds a profile may carry (`thresholds: { "pubAck.p99": "< 20ms" }`), as parsed and as
 * checked. Parsing and evaluation live in src/baseline/thresholds.ts.
 */

export type Operator = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** One parsed threshold; `limit` is in the metric's own unit (microseconds for latency). */
export interface Threshold {
  metric: string;
  op: Operator;
  limit: number;
  /** As written, for messages. */
  text: string;
}

/** A threshold checked against a run. */
export interface ThresholdCheck extends Threshold {
  actual: number;
  passed: boolean;
}
