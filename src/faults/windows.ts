/**
 * Each fault's latency windows, as planned from the profile (ns after the start instant, by intended
 * send time): before (up to 5 s, never into the warmup or the previous fault), during (at least a
 * second, so an instant such as a stepdown has one), and after (to the next fault or the end). Pure.
 */
import type { FaultSpec } from "../contract/faults.js";
import { BASELINE_MS } from "./recovery.js";

/** Three windows per fault, in the order of `faults`: before, during, after. */
export function latencyWindows(
  faults: FaultSpec[],
  warmupNs: number,
  measureEndNs: number,
): Array<[number, number]> {
  const starts = faults.map((f) => warmupNs + f.atMs * 1e6);
  const ends = faults.map((f, i) => starts[i]! + Math.max(f.forMs, 1000) * 1e6);
  const end = Number.isFinite(measureEndNs) ? measureEndNs : Math.max(...ends) + 10e9;
  return faults.flatMap((_, i) => {
    const start = starts[i]!;
    const previousEnd = Math.max(warmupNs, ...ends.filter((_, j) => starts[j]! < start));
    const next = Math.min(end, ...starts.filter((s) => s > start));
    return [
      [Math.max(previousEnd, start - BASELINE_MS * 1e6), start],
      [start, ends[i]!],
      [ends[i]!, Math.max(ends[i]!, next)],
    ] as Array<[number, number]>;
  });
}
