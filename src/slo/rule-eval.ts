/**
 * Evaluates benchline's SLO rules (prometheus-rules.ts) over replayed series, step by step, as
 * Prometheus 2.x does: rate() with its extrapolation (samples in [t - range, t], the counter's zero
 * point, the 1.1 x average spacing rule), sum, histogram_quantile with its monotonicity fix, `and` of
 * two comparisons, and `for`. Only the shapes buildRules writes, not PromQL at large: `promtool test
 * rules` on the file rule-tests.ts writes checks every prediction made here. Pure.
 */
import type { AlertRule, RecordingRule, SeriesRef, SloRules } from "./prometheus-rules.js";

/** One replayed series: a value at every step (time = index x step), from time 0. */
export interface ReplaySeries {
  metric: string;
  labels: Record<string, string>;
  values: number[];
}

/** What one alert rule did over the replay. */
export interface AlertTimeline {
  rule: AlertRule;
  /** The alert's labels as Prometheus sets them (its series' and the rule's); alertname apart. */
  labels: Record<string, string>;
  /** Per step: firing after that step's evaluation. */
  firing: boolean[];
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
  d: 86_400e3,
  w: 604_800e3,
  y: 31_536_000e3,
};

/** A Prometheus duration of one unit, as the rules write them: "5m", "1h", "3d". */
export function promDurationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(text);
  if (!m) throw new TypeError(`promDurationMs: ${text} is not a duration of one unit`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/**
 * rate(series[range]) at step `at`, or undefined with fewer than two samples in the range. The
 * arithmetic follows Prometheus' extrapolatedRate step for step, so the float is the same.
 */
export function rateAt(values: number[], at: number, stepMs: number, rangeMs: number): number | undefined {
  const rangeStartMs = at * stepMs - rangeMs;
  const first = Math.max(0, at - Math.floor(rangeMs / stepMs));
  if (at - first < 1) return undefined;
  let result = values[at]! - values[first]!;
  for (let j = first + 1; j <= at; j++) if (values[j]! < values[j - 1]!) result += values[j - 1]!;
  let durationToStart = (first * stepMs - rangeStartMs) / 1000;
  const durationToEnd = 0;
  const sampledInterval = ((at - first) * stepMs) / 1000;
  const averageBetween = sampledInterval / (at - first);
  if (result > 0 && values[first]! >= 0) {
    // Counters cannot go below zero: extrapolate no further back than where this one would be 0.
    const durationToZero = sampledInterval * (values[first]! / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetween * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
  let factor = extrapolateTo / sampledInterval;
  factor /= rangeMs / 1000;
  return result * factor;
}

/** sum(rate(ref[range])) at a step: undefined when no series has a rate (sum of nothing is nothing). */
function sumRate(series: ReplaySeries[], ref: SeriesRef, at: number, stepMs: number, rangeMs: number) {
  let sum: number | undefined;
  for (const s of series) {
    if (s.metric !== ref.metric || (ref.le !== undefined && s.labels.le !== ref.le)) continue;
    const r = rateAt(s.values, at, stepMs, rangeMs);
    if (r !== undefined) sum = (sum ?? 0) + r;
  }
  return sum;
}

function recordedAt(rule: RecordingRule, series: ReplaySeries[], at: number, stepMs: number) {
  const rangeMs = promDurationMs(rule.window);
  const num = sumRate(series, rule.numerator, at, stepMs, rangeMs);
  const den = sumRate(series, rule.denominator, at, stepMs, rangeMs);
  if (num === undefined || den === undefined) return undefined;
  return rule.complement ? 1 - num / den : num / den;
}

/** Prometheus' bucketQuantile for one histogram's buckets ([upper bound, count], +Inf among them). */
export function bucketQuantile(q: number, buckets: Array<[number, number]>): number {
  const b = [...buckets].sort((x, y) => x[0] - y[0]).map(([le, n]) => [le, n] as [number, number]);
  if (b.length === 0 || b.at(-1)![0] !== Number.POSITIVE_INFINITY) return Number.NaN;
  let max = Number.NEGATIVE_INFINITY;
  for (const bucket of b) {
    if (bucket[1] > max) max = bucket[1];
    else if (bucket[1] < max) bucket[1] = max;
  }
  if (b.length < 2) return Number.NaN;
  const observations = b.at(-1)![1];
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  let i = 0;
  while (i < b.length - 1 && !(b[i]![1] >= rank)) i++;
  if (i === b.length - 1) return b[b.length - 2]![0];
  if (i === 0 && b[0]![0] <= 0) return b[0]![0];
  let start = 0;
  const end = b[i]![0];
  let count = b[i]![1];
  if (i > 0) {
    start = b[i - 1]![0];
    count -= b[i - 1]![1];
    rank -= b[i - 1]![1];
  }
  return start + (end - start) * (rank / count);
}

function quantileAt(
  c: Extract<AlertRule["condition"], { kind: "quantile" }>,
  series: ReplaySeries[],
  at: number,
  stepMs: number,
): number | undefined {
  const rangeMs = promDurationMs(c.window);
  const byLe = new Map<string, number>();
  for (const s of series) {
    if (s.metric !== c.bucket || s.labels.le === undefined) continue;
    const r = rateAt(s.values, at, stepMs, rangeMs);
    if (r !== undefined) byLe.set(s.labels.le, (byLe.get(s.labels.le) ?? 0) + r);
  }
  if (byLe.size === 0) return undefined;
  return bucketQuantile(
    c.q,
    [...byLe].map(([le, n]) => [le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), n]),
  );
}

/**
 * Every alert rule's state at every step 0..steps-1. Recording rules are evaluated before the alerts
 * at each step, as their group comes first in the rules file.
 */
export function evaluateAlerts(
  rules: SloRules,
  series: ReplaySeries[],
  stepMs: number,
  steps: number,
): AlertTimeline[] {
  const recorded = rules.recording.map((rule) => ({
    rule,
    values: Array.from({ length: steps }, (_, at) => recordedAt(rule, series, at, stepMs)),
  }));
  const find = (name: string, labels: Record<string, string>) => {
    const r = recorded.find(
      (x) => x.rule.record === name && Object.entries(labels).every(([k, v]) => x.rule.labels[k] === v),
    );
    if (!r) throw new TypeError(`evaluateAlerts: no recording rule ${name} with ${JSON.stringify(labels)}`);
    return r;
  };
  return rules.alerts.map((rule): AlertTimeline => {
    const c = rule.condition;
    const holds: boolean[] = [];
    let labels: Record<string, string> = { ...rule.labels };
    if (c.kind === "burn") {
      const long = find(c.long, c.labels);
      const short = find(c.short, c.labels);
      // `and` keeps the left side's series: the recorded labels, under the rule's own.
      labels = { ...long.rule.labels, ...rule.labels };
      for (let at = 0; at < steps; at++) {
        const l = long.values[at];
        const s = short.values[at];
        holds.push(l !== undefined && s !== undefined && l > c.threshold && s > c.threshold);
      }
    } else {
      for (let at = 0; at < steps; at++) {
        const v = quantileAt(c, series, at, stepMs);
        holds.push(v !== undefined && v > c.aboveS);
      }
    }
    return { rule, labels, firing: applyFor(holds, rule.for ? promDurationMs(rule.for) : 0, stepMs) };
  });
}

/** An alert goes from pending to firing once its condition has held for `forMs`; any miss resets it. */
function applyFor(holds: boolean[], forMs: number, stepMs: number): boolean[] {
  let activeAt: number | undefined;
  return holds.map((h, at) => {
    if (!h) {
      activeAt = undefined;
      return false;
    }
    activeAt ??= at;
    return (at - activeAt) * stepMs >= forMs;
  });
}
