/**
 * Turns a baseline's runs into proposed SLO numbers, each with how it was derived. Observational: the
 * numbers describe what the measured system did, with headroom, not what it must do.
 */
import type { Baseline } from "../baseline/format.js";
import { latencyKindsOf, metricValue, opLatencyKinds } from "../baseline/metrics.js";
import { median } from "../baseline/stats.js";
import { OP_LATENCY_KINDS } from "../contract/latency.js";
import { UsageError } from "../errors.js";

/** One-sided 95% Student t quantiles by degrees of freedom (standard tables); above 30, interpolated to 1.645. */
const T95: Record<number, number> = {
  1: 6.314,
  2: 2.92,
  3: 2.353,
  4: 2.132,
  5: 2.015,
  6: 1.943,
  7: 1.895,
  8: 1.86,
  9: 1.833,
  10: 1.812,
  11: 1.796,
  12: 1.782,
  13: 1.771,
  14: 1.761,
  15: 1.753,
  16: 1.746,
  17: 1.74,
  18: 1.734,
  19: 1.729,
  20: 1.725,
  21: 1.721,
  22: 1.717,
  23: 1.714,
  24: 1.711,
  25: 1.708,
  26: 1.706,
  27: 1.703,
  28: 1.701,
  29: 1.699,
  30: 1.697,
};

export function t95(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T95[df]!;
  if (df <= 60) return 1.697 - ((df - 30) / 30) * (1.697 - 1.671);
  if (df <= 120) return 1.671 - ((df - 60) / 60) * (1.671 - 1.658);
  return 1.645;
}

/** Mean, sample standard deviation and the one-sided 95% confidence bounds of the mean. */
export function meanBounds(values: number[]): { mean: number; sd: number; upper: number; lower: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const margin = (t95(n - 1) * sd) / Math.sqrt(n);
  return { mean, sd, upper: mean + margin, lower: mean - margin };
}

/** Readable steps within a decade: an objective lands on one of these times a power of ten. */
export const GRID = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

export function roundUpToGrid(value: number): number {
  if (value <= 0) return 0;
  const decade = 10 ** Math.floor(Math.log10(value));
  const step = GRID.find((g) => g * decade >= value * (1 - 1e-12))!;
  return Number((step * decade).toPrecision(12));
}

export function roundDownToGrid(value: number): number {
  if (value <= 0) return 0;
  const decade = 10 ** Math.floor(Math.log10(value));
  const step = [...GRID].reverse().find((g) => g * decade <= value * (1 + 1e-12))!;
  return Number((step * decade).toPrecision(12));
}

/** One proposed objective. */
export interface SloProposal {
  metric: string;
  kind: "latency" | "throughput";
  /** "<=" for latency ceilings, ">=" for throughput floors. */
  op: "<=" | ">=";
  /** Microseconds for latency, msgs/s for throughput. */
  objective: number;
  derivation: {
    runs: number;
    mean: number;
    sd: number;
    /** The 95% confidence bound used: upper for latency, lower for throughput. */
    bound: number;
    headroom: number;
    text: string;
  };
}

/** The error budget at the baseline's rate. */
export interface ErrorBudget {
  targetPercent: number;
  windowS: number;
  ratePerSec: number;
  eventsInWindow: number;
  allowedBadEvents: number;
  /** Bad events (publish errors and lost messages) per event in the baseline's runs. */
  observedBadFraction: number;
  text: string;
}

export interface SloSet {
  observational: true;
  source: { file: string; profile: string; createdAt: string; runs: number };
  proposals: SloProposal[];
  errorBudget: ErrorBudget;
}

/** Too few runs for a confidence bound: a t bound needs two degrees of freedom to mean anything. */
export const MIN_SLO_RUNS = 3;

export interface DeriveOptions {
  headroom: number;
  targetPercent: number;
  windowS: number;
  /** Only these metrics, when given. */
  metrics?: string[];
}

/** The allowed failure fraction of a target percentage, free of binary rounding error: 99.9 -> 0.001. */
export function budgetFraction(targetPercent: number): number {
  return Number(((100 - targetPercent) / 100).toPrecision(12));
}

/** A target percentage as a fraction: 99.9 -> 0.999. */
export function targetFraction(targetPercent: number): number {
  return Number((targetPercent / 100).toPrecision(12));
}

export function deriveSlos(b: Baseline, file: string, o: DeriveOptions): SloSet {
  if (b.runs.length < MIN_SLO_RUNS) {
    throw new UsageError(
      `${file} holds ${b.runs.length} runs; a confidence bound needs at least ${MIN_SLO_RUNS}: record more runs`,
    );
  }
  if (!(o.headroom >= 1)) throw new UsageError(`--headroom must be at least 1, not ${o.headroom}`);
  if (!(o.targetPercent > 0 && o.targetPercent < 100))
    throw new UsageError(`--target must be a percentage between 0 and 100, not ${o.targetPercent}`);
  const kinds = latencyKindsOf(b.profile);
  const candidates = [
    ...(["pubAck", "e2e", ...OP_LATENCY_KINDS] as const)
      .filter((k) => kinds.has(k))
      .flatMap((k) => ["p50", "p95", "p99"].map((p) => `${k}.${p}`)),
    ...(b.profile.publishers.length > 0 ? ["throughput.publishedPerSec"] : []),
    ...(opLatencyKinds(b.profile).size > 0 ? ["throughput.opsPerSec"] : []),
  ];
  const wanted = o.metrics ?? candidates;
  for (const m of wanted) {
    if (!candidates.includes(m)) {
      throw new UsageError(`${file}: the baseline holds no ${m}; it has ${candidates.join(", ")}`);
    }
  }
  const proposals = wanted.map((metric): SloProposal => {
    const values = b.runs.map((r) => metricValue(r, metric) ?? Number.NaN);
    const { mean, sd, upper, lower } = meanBounds(values);
    const latency = !metric.startsWith("throughput.");
    const bound = latency ? upper : lower;
    const objective = latency ? roundUpToGrid(upper * o.headroom) : roundDownToGrid(lower / o.headroom);
    return {
      metric,
      kind: latency ? "latency" : "throughput",
      op: latency ? "<=" : ">=",
      objective,
      derivation: {
        runs: values.length,
        mean,
        sd,
        bound,
        headroom: o.headroom,
        text: latency
          ? `95% upper bound of the mean per-run ${metric} over ${values.length} runs (${Math.round(upper)} us) x headroom ${o.headroom}, rounded up`
          : `95% lower bound of the mean per-run ${metric} over ${values.length} runs (${Math.round(lower)} ${metric.endsWith("opsPerSec") ? "ops/s" : "msgs/s"}) / headroom ${o.headroom}, rounded down`,
      },
    };
  });
  // Events are publishes, and operations where the profile issues them.
  const ratePerSec = median(b.runs.map((r) => r.throughput.publishedPerSec + (r.throughput.opsPerSec ?? 0)));
  const eventsInWindow = ratePerSec * o.windowS;
  // 99.9 / 100 is not 0.999 in binary: round away the representation error before flooring.
  const allowedBadEvents = Math.floor(
    Number((eventsInWindow * budgetFraction(o.targetPercent)).toPrecision(12)),
  );
  const published = b.runs.reduce((n, r) => n + r.counts.published + (r.counts.ops ?? 0), 0);
  const bad = b.runs.reduce(
    (n, r) =>
      n +
      (metricValue(r, "counts.publishErrors") ?? 0) +
      (metricValue(r, "counts.opErrors") ?? 0) +
      r.counts.lost,
    0,
  );
  return {
    observational: true,
    source: { file, profile: b.profile.name, createdAt: b.createdAt, runs: b.runs.length },
    proposals,
    errorBudget: {
      targetPercent: o.targetPercent,
      windowS: o.windowS,
      ratePerSec,
      eventsInWindow,
      allowedBadEvents,
      observedBadFraction: published > 0 ? bad / published : 0,
      text: `${(100 - o.targetPercent).toPrecision(3)}% of ${Math.round(eventsInWindow)} events (${ratePerSec} msgs/s, the baseline's median rate, over ${o.windowS} s)`,
    },
  };
}
