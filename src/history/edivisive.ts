/**
 * E-divisive means (Matteson & James 2014), as Apache Otava's docs/MATH.md describes it: the divergence
 * statistic q-hat with alpha = 1 finds the best split of a segment; a permutation test (seeded, so the
 * same series always gives the same answer) says whether that split is significant; accepted splits cut
 * the series and the search repeats on the pieces until no split passes. Pure.
 */
import { seededRandom } from "../baseline/stats.js";

export interface EDivisiveOptions {
  /** Significance of each split's permutation test. */
  significance?: number;
  permutations?: number;
  seed?: number;
  /** The fewest points on either side of a split. */
  minSegment?: number;
}

/** A change point: the index of the first point of the new regime, and the test behind it. */
export interface ChangePoint {
  index: number;
  qHat: number;
  pValue: number;
}

export const DEFAULT_SIGNIFICANCE = 0.05;
export const DEFAULT_PERMUTATIONS = 199;
export const DEFAULT_MIN_SEGMENT = 3;

/**
 * The best split of xs[order[0..n)] by q-hat: for each tau, Q = m*k/(m+k) * E, with
 * E = 2/(mk) * sum|left - right| - 1/C(m,2) * sum|left - left| - 1/C(k,2) * sum|right - right|.
 * Sums are carried from one tau to the next, so the whole scan costs O(n^2).
 */
export function bestSplit(
  xs: ArrayLike<number>,
  minSegment = DEFAULT_MIN_SEGMENT,
): { index: number; qHat: number } | undefined {
  const n = xs.length;
  const size = Math.max(2, minSegment);
  if (n < 2 * size) return undefined;
  // Start with everything on the right: within-right = all pairs; the left is empty.
  let withinRight = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) withinRight += Math.abs(xs[i]! - xs[j]!);
  let withinLeft = 0;
  let cross = 0;
  let best: { index: number; qHat: number } | undefined;
  for (let tau = 1; tau <= n - size; tau++) {
    // Move point tau-1 from the right to the left.
    const p = tau - 1;
    let toLeft = 0;
    for (let i = 0; i < p; i++) toLeft += Math.abs(xs[i]! - xs[p]!);
    let toRight = 0;
    for (let j = p + 1; j < n; j++) toRight += Math.abs(xs[p]! - xs[j]!);
    withinLeft += toLeft;
    cross += toRight - toLeft;
    withinRight -= toRight;
    if (tau < size) continue;
    const m = tau;
    const k = n - tau;
    const e = (2 * cross) / (m * k) - withinLeft / ((m * (m - 1)) / 2) - withinRight / ((k * (k - 1)) / 2);
    const q = ((m * k) / (m + k)) * e;
    if (!best || q > best.qHat) best = { index: tau, qHat: q };
  }
  return best;
}

/**
 * The permutation p-value of a segment's best split: how often a shuffled segment splits as well. A
 * p-value above the significance is a lower bound (the shuffling stops once the verdict is certain).
 */
function permutationPValue(
  segment: number[],
  observed: number,
  options: Required<EDivisiveOptions>,
  rand: () => number,
): number {
  const shuffled = [...segment];
  let atLeast = 0;
  // Past this many shuffles that split as well, the p-value cannot reach significance: stop there.
  const hopeless = Math.ceil(options.significance * (options.permutations + 1));
  for (let p = 0; p < options.permutations && atLeast < hopeless; p++) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const q = bestSplit(shuffled, options.minSegment)?.qHat ?? Number.NEGATIVE_INFINITY;
    if (q >= observed) atLeast++;
  }
  return (atLeast + 1) / (options.permutations + 1);
}

/** The change points of a series, in index order. Deterministic given the seed. */
export function eDivisive(series: readonly number[], options: EDivisiveOptions = {}): ChangePoint[] {
  const o: Required<EDivisiveOptions> = {
    significance: options.significance ?? DEFAULT_SIGNIFICANCE,
    permutations: options.permutations ?? DEFAULT_PERMUTATIONS,
    seed: options.seed ?? 1,
    minSegment: options.minSegment ?? DEFAULT_MIN_SEGMENT,
  };
  const rand = seededRandom(o.seed);
  const found: ChangePoint[] = [];
  // Candidates per segment, kept until their segment is cut: only the two new pieces need a new scan.
  const bounds = [0, series.length];
  const cache = new Map<string, { index: number; qHat: number } | undefined>();
  for (;;) {
    let pick: { start: number; end: number; index: number; qHat: number } | undefined;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const start = bounds[s]!;
      const end = bounds[s + 1]!;
      const key = `${start}:${end}`;
      if (!cache.has(key)) cache.set(key, bestSplit(series.slice(start, end), o.minSegment));
      const split = cache.get(key);
      if (split && (!pick || split.qHat > pick.qHat))
        pick = { start, end, index: start + split.index, qHat: split.qHat };
    }
    if (!pick || !(pick.qHat > 0)) break;
    const pValue = permutationPValue(series.slice(pick.start, pick.end), pick.qHat, o, rand);
    if (pValue > o.significance) break;
    found.push({ index: pick.index, qHat: pick.qHat, pValue });
    bounds.push(pick.index);
    bounds.sort((a, b) => a - b);
  }
  return found.sort((a, b) => a.index - b.index);
}
