/**
 * The statistics behind a compare verdict: a two-sided Mann-Whitney U test on per-run values, the
 * Hodges-Lehmann interval of the relative change that inverts it, and a bootstrap interval of the
 * median's change where values have no relative scale (and for history's windows). Pure and
 * deterministic (the bootstrap takes a seed).
 */
import { normalQuantile } from "./probability.js";

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Value at quantile q (0..1) with linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  // Equal neighbours (infinite ones too, from a zero baseline) need no interpolation.
  if (s[lo] === s[hi]) return s[lo]!;
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Ranks (1-based) with ties given their average rank. */
function ranks(values: readonly number[]): { ranks: number[]; tieGroups: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  const tieGroups: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) out[order[k]![1]] = avg;
    if (j > i) tieGroups.push(j - i + 1);
    i = j + 1;
  }
  return { ranks: out, tieGroups };
}

/**
 * The exact permutation distribution of twice the rank sum of an n1-subset of the pooled values, ties
 * included (midranks): counts[s] = the number of n1-subsets whose doubled rank sum is s. A dynamic
 * programme over the pooled values, so 40 values cost about a million steps, not C(40, 20) subsets.
 */
function exactRankSumCounts(doubledRanks: number[], n1: number): number[] {
  const maxSum = doubledRanks.reduce((a, b) => a + b, 0);
  // ways[k][s]: subsets of size k with doubled rank sum s, over the values seen so far.
  const ways = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  for (const r of doubledRanks) {
    for (let k = n1; k >= 1; k--) {
      const from = ways[k - 1]!;
      const to = ways[k]!;
      for (let sum = maxSum; sum >= r; sum--) to[sum]! += from[sum - r]!;
    }
  }
  return Array.from(ways[n1]!);
}

function normalSf(z: number): number {
  // Survival function of the standard normal via erfc (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7).
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** Result of a two-sided Mann-Whitney U test. */
export interface MannWhitney {
  /** U of the first sample. */
  u: number;
  pValue: number;
  method: "exact" | "normal";
}

/**
 * Two-sided Mann-Whitney U test of x against y. The exact permutation distribution (ties included)
 * when both samples have at most 20 values; beyond, the normal approximation with tie and continuity
 * corrections. Without ties the exact p-values are those of the published tables.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  const { ranks: r, tieGroups } = ranks([...x, ...y]);
  const r1 = r.slice(0, n1).reduce((a, b) => a + b, 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  if (n1 <= 20 && n2 <= 20) {
    // Exact, ties included: percentiles read from HDR histograms are quantized, so per-run values tie
    // often, and the normal approximation is poor at the run counts a compare has.
    const counts = exactRankSumCounts(
      r.map((v) => Math.round(v * 2)),
      n1,
    );
    const total = counts.reduce((a, b) => a + b, 0);
    const observed = Math.round(r1 * 2);
    let below = 0;
    let above = 0;
    counts.forEach((c, sum) => {
      if (sum <= observed) below += c;
      if (sum >= observed) above += c;
    });
    return { u, pValue: Math.min(1, (2 * Math.min(below, above)) / total), method: "exact" };
  }
  const n = n1 + n2;
  const tieTerm = tieGroups.reduce((a, t) => a + (t ** 3 - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, pValue: 1, method: "normal" };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, pValue: Math.min(1, 2 * normalSf(Math.max(0, z))), method: "normal" };
}

/** Exact null distributions of the doubled rank sum without ties, by sample sizes: they are reused. */
const untiedCounts = new Map<string, { counts: number[]; total: number }>();

/**
 * The two-sided Mann-Whitney p-value of a U (of the first sample, n1 values, against n2) when no value
 * ties: exact up to 20 values a side (from one cached distribution per pair of sizes), the normal
 * approximation with continuity correction beyond. What mannWhitneyU gives for untied samples, without
 * the samples: for a U that moves while the tie pattern does not (machine-control.ts).
 */
export function mannWhitneyPOfU(u: number, n1: number, n2: number): number {
  if (n1 <= 20 && n2 <= 20) {
    const key = `${n1}/${n2}`;
    let dist = untiedCounts.get(key);
    if (!dist) {
      const counts = exactRankSumCounts(
        Array.from({ length: n1 + n2 }, (_, i) => 2 * (i + 1)),
        n1,
      );
      dist = { counts, total: counts.reduce((x, y) => x + y, 0) };
      untiedCounts.set(key, dist);
    }
    const observed = Math.round(2 * u + n1 * (n1 + 1));
    let below = 0;
    let above = 0;
    dist.counts.forEach((c, sum) => {
      if (sum <= observed) below += c;
      if (sum >= observed) above += c;
    });
    return Math.min(1, (2 * Math.min(below, above)) / dist.total);
  }
  const variance = (n1 * n2 * (n1 + n2 + 1)) / 12;
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * normalSf(Math.max(0, z)));
}

/**
 * The k of the distribution-free interval that inverts the two-sided Mann-Whitney test at this
 * confidence: [D(k), D(n1*n2 + 1 - k)] of the sorted pairwise differences (Bauer 1972; Hollander &
 * Wolfe 1999, 4.3), the largest k with 2 P(U <= k - 1) <= 1 - confidence. The exact null distribution of
 * U (no ties) up to 20 values a side, the normal approximation beyond; 0 when no k is small enough (the
 * interval is unbounded).
 */
export function rankIntervalIndex(n1: number, n2: number, confidence: number): number {
  const alpha = 1 - confidence;
  if (n1 <= 20 && n2 <= 20) {
    const n = n1 + n2;
    // Subsets of n1 of the ranks 1..n by doubled rank sum; U = R1 - n1(n1 + 1)/2.
    const counts = exactRankSumCounts(
      Array.from({ length: n }, (_, i) => 2 * (i + 1)),
      n1,
    );
    const total = counts.reduce((a, b) => a + b, 0);
    const offset = n1 * (n1 + 1);
    let below = 0; // P(U <= u) * total, u rising
    for (let u = 0; u <= n1 * n2; u++) {
      below += counts[offset + 2 * u] ?? 0;
      if ((2 * below) / total > alpha * (1 + 1e-12)) return u; // k - 1 = u - 1
    }
    return 0;
  }
  const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  return Math.max(0, Math.floor((n1 * n2) / 2 - normalQuantile(1 - alpha / 2) * sd));
}

/**
 * The Hodges-Lehmann interval of the relative change of cand over base: the interval of the shift of
 * ln(value) that the Mann-Whitney test inverts (rankIntervalIndex), as a relative change. The interval
 * that goes with the verdict's test: a shift it excludes is one the test rejects. It needs no
 * resampling, and keeps its confidence at the few runs a compare has, where a bootstrap of medians
 * does not. Undefined when a value is not above 0 (no relative scale).
 */
export function hodgesLehmannChange(
  base: readonly number[],
  cand: readonly number[],
  confidence = 0.95,
): { low: number; high: number } | undefined {
  if ([...base, ...cand].some((v) => !(v > 0 && Number.isFinite(v)))) return undefined;
  const diffs: number[] = [];
  for (const y of cand) for (const x of base) diffs.push(Math.log(y) - Math.log(x));
  diffs.sort((a, b) => a - b);
  const k = rankIntervalIndex(base.length, cand.length, confidence);
  if (k < 1) return { low: -1, high: Number.POSITIVE_INFINITY };
  return { low: Math.expm1(diffs[k - 1]!), high: Math.expm1(diffs[diffs.length - k]!) };
}

/** The smallest two-sided p-value the test can give for these sample sizes (all of x below all of y). */
export function minAttainablePValue(n1: number, n2: number): number {
  let c = 1;
  for (let k = 1; k <= n1; k++) c = (c * (n2 + k)) / k;
  return Math.min(1, 2 / c);
}

/** A small, fast, seedable PRNG (mulberry32), so bootstrap intervals are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative change of the candidate's median over the baseline's; ±Infinity from a zero baseline. */
export function relativeChange(base: number, cand: number): number {
  if (base === 0) return cand === 0 ? 0 : cand > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return (cand - base) / Math.abs(base);
}

/** Percentile bootstrap interval of the relative change of the median. */
export function bootstrapMedianChange(
  base: readonly number[],
  cand: readonly number[],
  options: { resamples?: number; confidence?: number; seed?: number } = {},
): { low: number; high: number } {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const rand = seededRandom(options.seed ?? 1);
  const draw = (xs: readonly number[]) => {
    const out = new Array<number>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(rand() * xs.length)]!;
    return median(out);
  };
  const changes = new Array<number>(resamples);
  for (let i = 0; i < resamples; i++) changes[i] = relativeChange(draw(base), draw(cand));
  const alpha = (1 - confidence) / 2;
  return { low: quantile(changes, alpha), high: quantile(changes, 1 - alpha) };
}
