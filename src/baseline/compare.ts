/**
 * Compares candidate runs with a baseline's, metric by metric, on the per-run values: a Mann-Whitney U
 * test says whether they differ at all, the Hodges-Lehmann interval of the relative change (the one that
 * test inverts) says by how much, and the noise threshold says whether that much matters.
 */
import type { RunEnv } from "../contract/env.js";
import {
  type Adjusted,
  adjustForMachine,
  type FitInput,
  judgeOverSlopes,
  slopeRange,
  slopeShiftWidth,
} from "./machine-adjust.js";
import { adjustsMetric, type ControlPlan } from "./machine-control.js";
import type { Direction, MetricSource } from "./metrics.js";
import { metricInfo, metricValue } from "./metrics.js";
import { type MetricResolution, metricResolution, worseResolution } from "./resolution.js";
import {
  bootstrapMedianChange,
  hodgesLehmannChange,
  mannWhitneyU,
  median,
  minAttainablePValue,
  relativeChange,
} from "./stats.js";

export type Verdict =
  | "regressed"
  | "improved"
  | "within noise"
  | "no significant change"
  | "insufficient data";

/** One metric's comparison. Values are in the metric's unit; change and interval are fractions. */
export interface MetricComparison {
  metric: string;
  direction: Direction;
  unit: string;
  baselineValues: number[];
  candidateValues: number[];
  baselineMedian: number;
  candidateMedian: number;
  /** The change of the medians as measured (the machine control's change is machineAdjusted.change). */
  change: number;
  /**
   * Mann-Whitney p-value of this metric alone; with the machine control, the largest over the slope's
   * range plus gamma.
   */
  rawPValue: number;
  /** The p-value the verdict uses: Holm-adjusted across the metrics of one compare. */
  pValue: number;
  interval: { low: number; high: number };
  noise: number;
  verdict: Verdict;
  /** The smallest change this verdict detects, from the runs' spread (absent in older reports). */
  resolution?: MetricResolution;
  /**
   * Set when the metric was also tested at the baseline's machine speed (machine-control.ts). The
   * verdict is then an intersection-union test: regressed (or improved) only when it is so both as
   * measured and at the baseline's machine speed, so the p-value above is the larger of the two and
   * the interval spans both, and the resolution is the worse of the two. The medians and the change
   * above stay as measured.
   */
  machineAdjusted?: {
    /** The change of the medians at the baseline's machine speed, at the fitted slope. */
    change: number;
    /** The test at the baseline's machine speed: over the slope's range, gamma added. */
    pValue?: number;
    interval?: { low: number; high: number };
    /** The test as measured alone, and its verdict (Holm across the metrics as measured). */
    measured?: { pValue: number; interval: { low: number; high: number }; verdict?: Verdict };
    /** The slope the values above are at, and the range of slopes the p-value and interval hold over. */
    slope: number;
    slopeRange: { low: number; high: number };
    /** The level the slope's range was taken at, added to the p-value (Berger-Boos). */
    gamma: number;
    /** The log shift the slope's uncertainty can make to the candidates: the resolution clears it too. */
    slopeShift: number;
    baselineValues: number[];
    candidateValues: number[];
  };
}

export interface CompareSettings {
  alpha: number;
  /** Noise threshold (fraction) for a metric. */
  noiseFor: (metric: string) => number;
  seed: number;
  /**
   * A sequential look's two-sided nominal level for an overall level (alpha spending): the test of a
   * metric at Holm level a uses nominal(a), the interval confidence 1 - nominal(alpha). Identity when the
   * run count was fixed in advance.
   */
  nominal?: (level: number) => number;
  /** The power the resolution is stated at (default 0.8). */
  power?: number;
  /** A change (fraction) to give the runs needed to detect (--detect). */
  detect?: number;
  /** ab: both sides grow together, so runs to detect are rounds. */
  paired?: boolean;
  /** The machine control's per-run values, when latency is compared at the baseline's machine speed. */
  control?: ControlPlan;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_NOISE = 0.05;

/** The fewest candidate runs with which `metrics` Holm-adjusted tests against `baselineRuns` can reach alpha. */
export function candidateRunsNeeded(
  baselineRuns: number,
  metrics: number,
  alpha = DEFAULT_ALPHA,
): number | undefined {
  for (let k = 1; k <= 100; k++) if (metricsTestable(baselineRuns, k, alpha) >= metrics) return k;
  return undefined;
}

/** The most Holm-adjusted metrics that can reach alpha with these run counts; 0 when not even one. */
export function metricsTestable(baselineRuns: number, candidateRuns: number, alpha = DEFAULT_ALPHA): number {
  const p = minAttainablePValue(baselineRuns, candidateRuns);
  // A hair of slack: 1 x 0.05 must not fail on a rounding error.
  return p > alpha ? 0 : Math.floor((alpha * (1 + 1e-9)) / p);
}

export function compareMetric(
  metric: string,
  base: number[],
  cand: number[],
  s: CompareSettings,
  machine?: { fit: Adjusted & FitInput; gamma: number },
): MetricComparison {
  const adjusted = machine?.fit;
  const range = machine && slopeRange(machine.fit, machine.gamma);
  const info = metricInfo(metric)!;
  const noise = s.noiseFor(metric);
  const baselineMedian = median(base);
  const candidateMedian = median(cand);
  const common = {
    metric,
    direction: info.direction,
    unit: info.unit,
    baselineValues: base,
    candidateValues: cand,
    baselineMedian,
    candidateMedian,
    change: relativeChange(baselineMedian, candidateMedian),
    noise,
    ...(adjusted &&
      range && {
        machineAdjusted: {
          change: relativeChange(median(adjusted.base), median(adjusted.cand)),
          slope: adjusted.slope,
          slopeRange: range,
          gamma: machine.gamma,
          slopeShift: slopeShiftWidth(adjusted, machine.gamma),
          baselineValues: adjusted.base,
          candidateValues: adjusted.cand,
        },
      }),
  };
  if (untestable(base.length, cand.length, s.alpha)) {
    return {
      ...common,
      rawPValue: Number.NaN,
      pValue: Number.NaN,
      interval: { low: Number.NaN, high: Number.NaN },
      verdict: "insufficient data",
    };
  }
  const confidence = 1 - (s.nominal ?? identity)(s.alpha);
  const measured = {
    pValue: mannWhitneyU(cand, base).pValue,
    // Hodges-Lehmann where values have a relative scale (all above 0); a bootstrap of medians otherwise.
    interval:
      hodgesLehmannChange(base, cand, confidence) ??
      bootstrapMedianChange(base, cand, { seed: s.seed, confidence }),
  };
  if (!(machine && range && common.machineAdjusted)) {
    return {
      ...common,
      rawPValue: measured.pValue,
      pValue: measured.pValue,
      interval: measured.interval,
      verdict: verdictOf(measured.pValue, measured.interval, noise, info.direction, s.alpha),
    };
  }
  // At the baseline's machine speed the test and the interval hold at every slope the runs leave
  // plausible: the largest p-value over them plus gamma, and an interval that holds each one's.
  const slopes = judgeOverSlopes(machine.fit, range, confidence);
  const atSpeed = { pValue: Math.min(1, slopes.pValue + machine.gamma), interval: slopes.interval };
  // Intersection-union (Berger 1982): a verdict the measurement shows and the machine cannot explain.
  // Its level is at most the measured test's whatever the control does: the control can take a
  // verdict back, never make one the runs as measured do not show.
  const pValue = Math.max(measured.pValue, atSpeed.pValue);
  const interval = {
    low: Math.min(measured.interval.low, atSpeed.interval.low),
    high: Math.max(measured.interval.high, atSpeed.interval.high),
  };
  return {
    ...common,
    machineAdjusted: { ...common.machineAdjusted, ...atSpeed, measured },
    rawPValue: pValue,
    pValue,
    interval,
    verdict: verdictOf(pValue, interval, noise, info.direction, s.alpha),
  };
}

/**
 * Regressed or improved only when the difference is significant and the whole interval lies beyond
 * the noise threshold on one side; a significant shift smaller than that is "within noise".
 */
export function verdictOf(
  pValue: number,
  interval: { low: number; high: number },
  noise: number,
  direction: Direction,
  alpha: number,
): Verdict {
  return verdictFrom(pValue < alpha, interval, noise, direction);
}

function verdictFrom(
  significant: boolean,
  interval: { low: number; high: number },
  noise: number,
  direction: Direction,
): Verdict {
  if (!significant) return "no significant change";
  const worseUp = direction === "lower-is-better";
  if (interval.low > noise) return worseUp ? "regressed" : "improved";
  if (interval.high < -noise) return worseUp ? "improved" : "regressed";
  return "within noise";
}

/**
 * Holm-Bonferroni: adjusted p-values for m tests, so that the chance that any of them is significant
 * when nothing changed stays at alpha. A compare fails on any regressed metric, so this is the error
 * rate a CI job sees; testing a dozen metrics each at 0.05 would fail about one A/A compare in two.
 */
export function holmAdjust(pValues: number[]): number[] {
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** Compares every metric the baseline's runs hold values for; verdicts on Holm-adjusted p-values. */
export function compareRuns(
  baseRuns: MetricSource[],
  candRuns: MetricSource[],
  metrics: string[],
  s: CompareSettings,
): MetricComparison[] {
  // Each value with its run's control value, so the two stay paired when a run lacks the metric.
  const valuesOf = (runs: MetricSource[], m: string, controls?: number[]) => {
    const kept = runs.flatMap((r, i) => {
      const v = metricValue(r, m);
      return v !== undefined && Number.isFinite(v) ? [[v, controls?.[i] ?? Number.NaN] as const] : [];
    });
    return { values: kept.map(([v]) => v), controls: kept.map(([, x]) => x) };
  };
  const control = s.control?.applied ? s.control : undefined;
  const nominal = s.nominal ?? identity;
  const sides = metrics
    .map((m) => ({
      m,
      base: valuesOf(baseRuns, m, control?.baseline),
      cand: valuesOf(candRuns, m, control?.candidate),
    }))
    .filter((x) => x.base.values.length > 0);
  // The first of m metrics is tested at alpha/m: the level a lone regression faces. Which metrics are
  // tested follows from their run counts alone, so the level is known before any test.
  const testable = sides.filter((x) => !untestable(x.base.values.length, x.cand.values.length, s.alpha));
  const firstLevel = nominal(s.alpha / Math.max(1, testable.length));
  // The slope's share of the error: a tenth of the smallest level any metric is tested at.
  const gamma = firstLevel / 10;
  const compared = sides.map(({ m, base, cand }) => {
    // Gamma is added to every p-value, so the rank test's floor rises by it: a design that only just
    // reaches its level cannot pay for the slope, and is compared as measured (decided by the run
    // counts alone, not by the values).
    const affords = minAttainablePValue(base.values.length, cand.values.length) + gamma <= firstLevel;
    const fit =
      control && affords && adjustsMetric(m)
        ? adjustForMachine(base.values, base.controls, cand.values, cand.controls)
        : undefined;
    return compareMetric(m, base.values, cand.values, s, fit && { fit, gamma });
  });
  const tested = compared.filter((c) => c.verdict !== "insufficient data");
  const raw = tested.map((c) => c.rawPValue);
  const adjusted = holmAdjust(raw);
  const significant = holmSignificant(raw, s.alpha, nominal);
  tested.forEach((c, i) => {
    c.pValue = adjusted[i]!;
    // Holm tests the smallest p at alpha/m: when even the smallest attainable p cannot pass that, no
    // metric can ever be found to differ.
    // (A metric tested at the machine's speed too was only adjusted when its floor could pay gamma.)
    const reachable = minAttainablePValue(c.baselineValues.length, c.candidateValues.length) <= firstLevel;
    c.verdict = reachable
      ? verdictFrom(significant[i]!, c.interval, c.noise, c.direction)
      : "insufficient data";
  });
  // What the metrics would read as measured alone, for the report's line on what the machine explained.
  const measuredSignificant = holmSignificant(
    tested.map((c) => c.machineAdjusted?.measured?.pValue ?? c.rawPValue),
    s.alpha,
    nominal,
  );
  tested.forEach((c, i) => {
    const m = c.machineAdjusted?.measured;
    if (m && c.verdict !== "insufficient data")
      m.verdict = verdictFrom(measuredSignificant[i]!, m.interval, c.noise, c.direction);
  });
  for (const c of compared) {
    const asMeasured = {
      base: c.baselineValues,
      cand: c.candidateValues,
      candidateRuns: c.candidateValues.length,
      testLevel: firstLevel,
      intervalLevel: nominal(s.alpha),
      noise: c.noise,
      direction: c.direction,
      power: s.power,
      detect: s.detect,
      paired: s.paired,
    };
    const adjusted = c.machineAdjusted;
    // Intersection-union: a change is detected when both tests detect it, so the worse resolution.
    c.resolution = worseResolution(
      metricResolution(asMeasured),
      adjusted &&
        metricResolution({
          ...asMeasured,
          base: adjusted.baselineValues,
          cand: adjusted.candidateValues,
          testLevel: firstLevel - adjusted.gamma,
          machine: { fitted: 1, slopeShift: adjusted.slopeShift },
        }),
    );
  }
  return compared;
}

const identity = (level: number) => level;

/** Too few runs on a side for the rank test ever to reach alpha. */
function untestable(baseRuns: number, candRuns: number, alpha: number): boolean {
  return baseRuns < 2 || candRuns < 2 || minAttainablePValue(baseRuns, candRuns) > alpha;
}

/**
 * Holm's step-down at a look's nominal levels: the r-th smallest of m p-values is significant when it
 * and every smaller one are below nominal(alpha / (m - r + 1)). With the identity it is the classical
 * procedure (adjusted p < alpha); with alpha-spending levels, the group-sequential Holm procedure that
 * controls the familywise error over all looks (Maurer & Bretz 2013; Ye et al. 2013).
 */
export function holmSignificant(
  pValues: readonly number[],
  alpha: number,
  nominal: (level: number) => number = identity,
): boolean[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<boolean>(m).fill(false);
  for (let r = 0; r < m; r++) {
    const [p, i] = order[r]!;
    if (!(p < nominal(alpha / (m - r)))) break;
    out[i] = true;
  }
  return out;
}

/** Differences in environment that make a comparison less like with like. */
export function environmentWarnings(base: RunEnv, cand: RunEnv): string[] {
  const fields: Array<[keyof RunEnv, string]> = [
    ["serverVersion", "server version"],
    ["cpus", "CPUs"],
    ["clusterSize", "cluster size"],
    ["node", "Node version"],
    ["client", "client"],
    ["benchline", "benchline version"],
    ["host", "host"],
    ["workerThreads", "worker threads"],
  ];
  return fields.flatMap(([key, label]) =>
    // A field the baseline's benchline did not record yet is no difference.
    base[key] !== undefined && base[key] !== cand[key]
      ? [`${label} differs: baseline ${String(base[key])}, candidate ${String(cand[key])}`]
      : [],
  );
}
