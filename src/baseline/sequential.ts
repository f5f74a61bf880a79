/**
 * Group-sequential boundaries, for verdicts that look at the data after every run and may stop early:
 * Lan-DeMets alpha spending (Lan & DeMets 1983), with the O'Brien-Fleming-type spending function by
 * default. At look k, with information fraction t_k, a two-sided boundary c_k on the z scale is found so
 * that the chance of crossing it at look k, having crossed at no earlier look, under no change, is
 * alpha(t_k) - alpha(t_k-1). The chances are computed by the recursive numerical integration of
 * Armitage, McPherson & Rowe (1969), as Jennison & Turnbull (2000, ch. 19) describe, on the canonical
 * joint distribution: S_k = Z_k sqrt(t_k) has independent normal increments of variance t_k - t_k-1.
 * Pure.
 */
import { normalPdf, normalQuantile, normalSf } from "./probability.js";

/** Spent alpha at information fraction t (0..1), two-sided. */
export type SpendingFunction = (t: number, alpha: number) => number;

/**
 * O'Brien-Fleming-type, Lan & DeMets' (1983) form: alpha(t) = 2 - 2 Phi(z_{1-alpha/2} / sqrt(t)).
 * Spends almost nothing early.
 */
export const obfSpending: SpendingFunction = (t, alpha) =>
  t <= 0 ? 0 : t >= 1 ? alpha : 2 * normalSf(normalQuantile(1 - alpha / 2) / Math.sqrt(t));

/**
 * The same function spent on each side at alpha/2 (as gsDesign's sfLDOF and ldbounds do for symmetric
 * two-sided bounds): alpha(t) = 4 - 4 Phi(z_{1-alpha/4} / sqrt(t)). Yet more sparing early; the design
 * the published tables of Lan-DeMets boundaries hold, and the one verdicts use.
 */
export const obfSpendingPerSide: SpendingFunction = (t, alpha) => 2 * obfSpending(t, alpha / 2);

/** Pocock-type: alpha(t) = alpha ln(1 + (e - 1) t). Spends evenly. */
export const pocockSpending: SpendingFunction = (t, alpha) =>
  t <= 0 ? 0 : alpha * Math.log(1 + (Math.E - 1) * Math.min(1, t));

/** Beyond this many standard deviations the integration ignores the mass (below 1e-15). */
const Z_MAX = 8;

/** The sub-density of S_k on the continuation region, on a Simpson grid. */
interface Density {
  t: number;
  points: Float64Array;
  /** Density times Simpson weight, per point. */
  mass: Float64Array;
}

function simpsonGrid(half: number, spacingMax: number): { points: Float64Array; weights: Float64Array } {
  let n = Math.ceil((2 * half) / spacingMax);
  n = Math.min(2000, Math.max(200, n + (n % 2)));
  const h = (2 * half) / n;
  const points = new Float64Array(n + 1);
  const weights = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    points[i] = -half + i * h;
    weights[i] = ((i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * h) / 3;
  }
  return { points, weights };
}

/** P(cross at this look, not before) for boundary c at fraction t, given the density at the last look. */
function crossing(prev: Density | undefined, t: number, c: number): number {
  if (!Number.isFinite(c)) return 0;
  if (!prev) return 2 * normalSf(c);
  const sd = Math.sqrt(t - prev.t);
  const edge = c * Math.sqrt(t);
  let p = 0;
  for (let i = 0; i < prev.points.length; i++) {
    const u = prev.points[i]!;
    p += prev.mass[i]! * (normalSf((edge - u) / sd) + normalSf((edge + u) / sd));
  }
  return p;
}

/** The density of S at fraction t on |Z| < c, having stayed inside at every earlier look. */
function advance(prev: Density | undefined, t: number, c: number): Density {
  const half = Math.min(c, Z_MAX) * Math.sqrt(t);
  const sd = prev ? Math.sqrt(t - prev.t) : Math.sqrt(t);
  const { points, weights } = simpsonGrid(half, sd / 8);
  const mass = new Float64Array(points.length);
  for (let j = 0; j < points.length; j++) {
    const s = points[j]!;
    let f = 0;
    if (!prev) f = normalPdf(s / sd) / sd;
    else
      for (let i = 0; i < prev.points.length; i++) f += prev.mass[i]! * normalPdf((s - prev.points[i]!) / sd);
    mass[j] = (prev ? f / sd : f) * weights[j]!;
  }
  return { t, points, mass };
}

/** The chance of crossing each of the given two-sided z boundaries first, under no change. */
export function crossingProbabilities(fractions: readonly number[], bounds: readonly number[]): number[] {
  let density: Density | undefined;
  return fractions.map((t, k) => {
    const p = crossing(density, t, bounds[k]!);
    density = advance(density, t, bounds[k]!);
    return p;
  });
}

/**
 * The boundaries of an alpha-spending design, one look at a time, as the runs come: Lan-DeMets needs
 * neither the number nor the spacing of looks in advance, only each look's information fraction.
 */
export class SpendingBoundary {
  private density: Density | undefined;
  private spent = 0;
  readonly bounds: number[] = [];

  constructor(
    readonly alpha: number,
    private readonly spend: SpendingFunction = obfSpendingPerSide,
  ) {}

  /** The z boundary at the next look, at information fraction t (increasing, at most 1). */
  next(t: number): number {
    const last = this.density?.t ?? 0;
    if (!(t > last && t <= 1 + 1e-12)) throw new RangeError(`information fraction ${t} after ${last}`);
    const target = this.spend(Math.min(1, t), this.alpha) - this.spent;
    let c: number;
    if (target <= crossing(this.density, t, Z_MAX)) c = Number.POSITIVE_INFINITY;
    else {
      let lo = 0;
      let hi = Z_MAX;
      for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (crossing(this.density, t, mid) > target) lo = mid;
        else hi = mid;
      }
      c = (lo + hi) / 2;
    }
    this.spent += crossing(this.density, t, c);
    this.density = advance(this.density, t, c);
    this.bounds.push(c);
    return c;
  }

  /** The two-sided nominal p-value level of the last look's boundary. */
  get nominal(): number {
    const c = this.bounds.at(-1);
    return c === undefined ? 0 : 2 * normalSf(c);
  }
}

/** Every look's boundary of a spending design at once. */
export function spendingBoundaries(
  fractions: readonly number[],
  alpha: number,
  spend: SpendingFunction = obfSpendingPerSide,
): number[] {
  const b = new SpendingBoundary(alpha, spend);
  return fractions.map((t) => b.next(t));
}

/**
 * The constant C of a classical design with boundaries C * shape(k), found so that the chance of any
 * crossing is alpha: shape 1 is Pocock's (1977), sqrt(K/k) O'Brien & Fleming's (1979).
 */
export function classicalConstant(looks: number, alpha: number, shape: (k: number) => number): number {
  const fractions = Array.from({ length: looks }, (_, k) => (k + 1) / looks);
  let lo = 1;
  let hi = 6;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    const total = crossingProbabilities(
      fractions,
      fractions.map((_, k) => mid * shape(k + 1)),
    ).reduce((a, b) => a + b, 0);
    if (total > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Information of a two-sample comparison with n1 and n2 values: 1 / (1/n1 + 1/n2), up to the variance.
 * With the baseline fixed and candidates added, Z_k keeps the canonical joint distribution in these
 * terms: corr(Z_j, Z_k) = sqrt(I_j / I_k).
 */
export function twoSampleInformation(n1: number, n2: number): number {
  return 1 / (1 / n1 + 1 / n2);
}

/**
 * The looks of one sequential verdict: information grows with every run, up to its value at the most
 * runs allowed; any overall level gets its own spending boundary, caught up over every look so far.
 */
export class SequentialDesign {
  private readonly boundaries = new Map<number, SpendingBoundary>();
  readonly fractions: number[] = [];

  constructor(
    private readonly informationMax: number,
    private readonly spend: SpendingFunction = obfSpendingPerSide,
  ) {}

  /** Records a look at this much information. */
  look(information: number): void {
    this.fractions.push(Math.min(1, information / this.informationMax));
  }

  /** The two-sided nominal level of the latest look for an overall level. */
  nominal(alpha: number): number {
    const b = this.boundaries.get(alpha) ?? new SpendingBoundary(alpha, this.spend);
    this.boundaries.set(alpha, b);
    while (b.bounds.length < this.fractions.length) b.next(this.fractions[b.bounds.length]!);
    return b.nominal;
  }
}
