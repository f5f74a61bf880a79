/**
 * The statistics behind a compare verdict: a two-sided Mann-Whitney U test on per-run values, and a
 * bootstrap confidence interval of the relative change of the median. Pure and deterministic
 * (the bootstrap takes a seed).
 */

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

/** Ways to arrange n1 + n2 untied values so that U (of the first sample) = u, for every u. */
function exactUCounts(n1: number, n2: number): number[] {
  // f[i][j][u]: arrangements of i and j values with U = u; U of the first sample grows by j when one
  // of its values is placed above all j values of the second.
  let prev: number[][] = Array.from({ length: n2 + 1 }, () => [1]);
  for (let i = 1; i <= n1; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n2; j++) {
      const a = prev[j]!; // the largest value belongs to sample 1: U += j
      const b = cur[j - 1]!; // the largest value belongs to sample 2: U unchanged
      const len = Math.max(a.length + j, b.length);
      const row = new Array<number>(len).fill(0);
      a.forEach((c, u) => {
        row[u + j]! += c;
      });
      b.forEach((c, u) => {
        row[u]! += c;
      });
      cur.push(row);
    }
    prev = cur;
  }
  return prev[n2]!;
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
 * Two-sided Mann-Whitney U test of x against y. Exact distribution when there are no ties and both
 * samples have at most 20 values (as published tables); otherwise the normal approximation with tie
 * and continuity corrections.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  const { ranks: r, tieGroups } = ranks([...x, ...y]);
  const r1 = r.slice(0, n1).reduce((a, b) => a + b, 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  if (tieGroups.length === 0 && n1 <= 20 && n2 <= 20) {
    const counts = exactUCounts(n1, n2);
    const total = counts.reduce((a, b) => a + b, 0);
    const tail = Math.min(u, n1 * n2 - u);
    let cum = 0;
    for (let k = 0; k <= tail; k++) cum += counts[k] ?? 0;
    return { u, pValue: Math.min(1, (2 * cum) / total), method: "exact" };
  }
  const n = n1 + n2;
  const tieTerm = tieGroups.reduce((a, t) => a + (t ** 3 - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, pValue: 1, method: "normal" };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, pValue: Math.min(1, 2 * normalSf(Math.max(0, z))), method: "normal" };
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
