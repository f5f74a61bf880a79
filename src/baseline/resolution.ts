/**
 * What a verdict can resolve: the smallest relative change it calls "regressed" with a stated power,
 * from the runs' own spread and the number of runs, and how many runs a chosen change would take. Pure.
 *
 * On the log scale a relative change is a shift, and the runs' spread is s, the pooled standard deviation
 * of ln(value). A two-sample test at two-sided level a detects a shift d with power 1 - b when
 *   d = (t_{1-a/2, df} + t_{1-b, df}) * s * sqrt(1/n1 + 1/n2) / sqrt(E),   df = n1 + n2 - 2,
 * (the normal-theory formula, with t quantiles for few runs), E the test's efficiency against the t test:
 * 3/pi for Mann-Whitney (Pitman; Noether 1987 sizes rank tests so), and the same for the Hodges-Lehmann
 * interval, which inverts it.
 * A rank test also has a floor: with n1 and n2 runs no p-value falls below 2 / C(n1 + n2, n1), so a
 * level under it detects nothing, however large the change.
 *
 * A verdict says "regressed" when the test is significant at its Holm level (alpha/m for the first of
 * m metrics: the one regression among many is tested there) and the whole interval of the change lies
 * beyond the noise threshold; it detects a change with the power asked when both do:
 *   resolution = max(d_test, ln(1 + noise) + d_interval).
 */
import type { Direction } from "./metrics.js";
import { tQuantile } from "./probability.js";
import { minAttainablePValue } from "./stats.js";

export const DEFAULT_POWER = 0.8;
/** Pitman efficiency of the Mann-Whitney U test against the t test, normal data. */
export const RANK_TEST_EFFICIENCY = 3 / Math.PI;
/** Runs-to-detect searches no further. */
export const MAX_RUNS_SEARCHED = 1000;

/**
 * Pooled standard deviation of ln(value), each group about its own mean, with `fitted` more parameters
 * taken out of the degrees of freedom (a slope fitted to the values); NaN when a value is not > 0.
 */
export function logSpreadFitted(fitted: number, ...groups: ReadonlyArray<readonly number[]>): number {
  let ss = 0;
  let df = 0;
  for (const g of groups) {
    if (g.length === 0) continue;
    if (g.some((v) => !(v > 0 && Number.isFinite(v)))) return Number.NaN;
    const logs = g.map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    ss += logs.reduce((a, b) => a + (b - mean) ** 2, 0);
    df += logs.length - 1;
  }
  return df - fitted > 0 ? Math.sqrt(ss / (df - fitted)) : Number.NaN;
}

/** Pooled standard deviation of ln(value), each group about its own mean; NaN when a value is not > 0. */
export function logSpread(...groups: ReadonlyArray<readonly number[]>): number {
  return logSpreadFitted(0, ...groups);
}

/** A two-sample design: spread (log scale), run counts, the two-sided level and the power. */
export interface Design {
  spreadLog: number;
  baselineRuns: number;
  candidateRuns: number;
  level: number;
  power: number;
  /** Parameters fitted besides the two means (the machine control's slope): degrees of freedom lost. */
  fitted?: number;
}

/** The smallest log shift the design detects with its power; Infinity below the rank test's floor. */
export function detectableShift(d: Design, efficiency = RANK_TEST_EFFICIENCY): number {
  const { baselineRuns: n1, candidateRuns: n2 } = d;
  if (n1 < 2 || n2 < 2 || minAttainablePValue(n1, n2) > d.level) return Number.POSITIVE_INFINITY;
  const df = n1 + n2 - 2 - (d.fitted ?? 0);
  if (df < 1) return Number.POSITIVE_INFINITY;
  const z = tQuantile(1 - d.level / 2, df) + tQuantile(d.power, df);
  return (z * d.spreadLog * Math.sqrt(1 / n1 + 1 / n2)) / Math.sqrt(efficiency);
}

/** The relative change, on the bad side, that a log shift is: up for latency, down for throughput. */
export function relativeOfShift(shift: number, direction: Direction): number {
  return direction === "lower-is-better" ? Math.expm1(shift) : -Math.expm1(-shift);
}

export function shiftOfRelative(change: number, direction: Direction): number {
  if (direction === "lower-is-better") return Math.log1p(change);
  return change >= 1 ? Number.POSITIVE_INFINITY : -Math.log1p(-change);
}

/** What a verdict needs: the test's (Holm) level, the interval's, the noise, and which side is bad. */
export interface VerdictDesign extends Omit<Design, "level"> {
  testLevel: number;
  intervalLevel: number;
  noise: number;
  direction: Direction;
  /**
   * A log shift the verdict must clear besides the runs' spread: how far the machine control's slope,
   * uncertain, can move the candidates (machine-control.ts). 0 without the control.
   */
  slopeShift?: number;
}

/** The smallest changes the test alone, and the verdict, detect with the design's power. */
export function verdictResolution(v: VerdictDesign): { test: number; verdict: number } {
  const slope = v.slopeShift ?? 0;
  const test = detectableShift({ ...v, level: v.testLevel }) + slope;
  const interval = detectableShift({ ...v, level: v.intervalLevel }, RANK_TEST_EFFICIENCY) + slope;
  const verdict = Math.max(test, shiftOfRelative(v.noise, v.direction) + interval);
  return { test: relativeOfShift(test, v.direction), verdict: relativeOfShift(verdict, v.direction) };
}

/**
 * The fewest candidate runs with which the verdict detects `change`; with `paired`, the fewest runs a
 * side when both grow together (ab's rounds). Undefined when no count up to MAX_RUNS_SEARCHED does.
 */
export function runsToDetect(change: number, v: VerdictDesign, paired = false): number | undefined {
  const at = (n: number) =>
    verdictResolution({ ...v, candidateRuns: n, baselineRuns: paired ? n : v.baselineRuns }).verdict;
  if (!(at(MAX_RUNS_SEARCHED) <= change)) return undefined;
  // The resolution only shrinks as runs are added: bisect.
  let lo = 1;
  let hi = MAX_RUNS_SEARCHED;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at(mid) <= change) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** One metric's resolution as reports carry it. Changes are fractions; null where none exists (`why`). */
export interface MetricResolution {
  /** The smallest change the verdict calls regressed with `power`. */
  change: number | null;
  /** The smallest change the significance test alone detects with `power`. */
  testChange: number | null;
  why?: string;
  /** Pooled standard deviation of ln(value) over the runs. */
  spreadLog: number | null;
  /** The test's two-sided level: alpha/m by Holm, lower at an early sequential look. */
  level: number;
  power: number;
  baselineRuns: number;
  candidateRuns: number;
  /** With --detect: the runs (ab: rounds) that detect that change; null when none up to 1000 would. */
  detect?: { change: number; runs: number | null };
}

export interface ResolutionInput {
  base: readonly number[];
  /** The candidates' values; empty for a baseline alone, whose spread then stands for both. */
  cand: readonly number[];
  candidateRuns: number;
  testLevel: number;
  intervalLevel: number;
  noise: number;
  direction: Direction;
  power?: number;
  detect?: number;
  /** ab: a side's runs grow with the other's. */
  paired?: boolean;
  /** The values are at the baseline's machine speed: the slope fitted and its shift (machine-control.ts). */
  machine?: { fitted: number; slopeShift: number };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

export function metricResolution(r: ResolutionInput): MetricResolution {
  const power = r.power ?? DEFAULT_POWER;
  const fitted = r.machine?.fitted ?? 0;
  const spreadLog = logSpreadFitted(fitted, r.base, r.cand);
  const v: VerdictDesign = {
    fitted,
    slopeShift: r.machine?.slopeShift ?? 0,
    spreadLog,
    baselineRuns: r.base.length,
    candidateRuns: r.candidateRuns,
    testLevel: r.testLevel,
    intervalLevel: r.intervalLevel,
    noise: r.noise,
    direction: r.direction,
    power,
  };
  const common = { level: r.testLevel, power, baselineRuns: r.base.length, candidateRuns: r.candidateRuns };
  if (Number.isNaN(spreadLog))
    return {
      ...common,
      change: null,
      testChange: null,
      spreadLog: null,
      why: "no relative scale: a value is zero (or too few runs)",
    };
  const { test, verdict } = verdictResolution(v);
  const detect =
    r.detect === undefined
      ? undefined
      : { change: r.detect, runs: runsToDetect(r.detect, v, r.paired) ?? null };
  return {
    ...common,
    change: finite(verdict),
    testChange: finite(test),
    spreadLog,
    ...(!Number.isFinite(test) && {
      why: `the rank test cannot reach p < ${r.testLevel.toPrecision(2)} with ${r.base.length} and ${r.candidateRuns} runs`,
    }),
    ...(detect && { detect }),
  };
}

/** The warning for a noise threshold finer than what the data resolve; undefined when it is not. */
export function noiseWarning(metric: string, noise: number, res: MetricResolution): string | undefined {
  if (res.testChange === null || !(noise < res.testChange)) return undefined;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  // The test's own floor, not the resolution column (which adds the noise threshold to the interval).
  return `${metric}: noise ${pct(noise)} is below ${pct(res.testChange)}, the smallest change the test detects (power ${pct(res.power)}) with ${res.baselineRuns} baseline and ${res.candidateRuns} candidate runs: a change between the two can only read "no significant change"`;
}

/** The resolution that detects less: none (null) is worse than any. */
export function worseResolution(a: MetricResolution, b: MetricResolution | undefined): MetricResolution {
  if (!b || a.change === null) return a;
  if (b.change === null) return b;
  return b.change > a.change ? b : a;
}
