/**
 * When nothing succeeded: each thread keeps the stretches longer than GAP_MIN_NS in which none of its
 * publishes succeeded; the run was unavailable where every thread that publishes was in such a stretch
 * at once (their intersection). Pure.
 */

/** Shorter stretches without a success are not kept: below this, unavailability reads as 0. */
export const GAP_MIN_NS = 10e6;

/** A stretch [fromNs, toNs) without a success, ns after the start instant. */
export type Gap = [number, number];

/** Pairs from a flat list [from0, to0, from1, to1, ...] as threads send them. */
export function gapsOf(flat: ArrayLike<number>): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) gaps.push([flat[i]!, flat[i + 1]!]);
  return gaps;
}

/** Stretches in which every list has a gap: the intersection of sorted, disjoint gap lists. */
export function intersectGaps(lists: Gap[][]): Gap[] {
  if (lists.length === 0) return [];
  return lists.reduce((acc, next) => {
    const out: Gap[] = [];
    let i = 0;
    let j = 0;
    while (i < acc.length && j < next.length) {
      const from = Math.max(acc[i]![0], next[j]![0]);
      const to = Math.min(acc[i]![1], next[j]![1]);
      if (to > from) out.push([from, to]);
      if (acc[i]![1] < next[j]![1]) i++;
      else j++;
    }
    return out;
  });
}

/**
 * The longest stretch without a success between `fromNs` and `untilNs`, in ms: a stall that began
 * before the fault counts from the fault.
 */
export function longestGapMs(gaps: Gap[], fromNs: number, untilNs: number): number {
  let longest = 0;
  for (const [a, b] of gaps) {
    if (b <= fromNs || a >= untilNs) continue;
    // Clipped at the end too: publishers stop at the end of the measured phase, which is no outage.
    longest = Math.max(longest, Math.min(b, untilNs) - Math.max(a, fromNs));
  }
  return Math.round(longest / 1e6);
}
