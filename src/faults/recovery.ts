/**
 * Recovery after a fault, from the run's series (docs/architecture.md, "Faults"): recoveryMs runs from
 * the fault's end until throughput is back within 10% of its level before the fault for a whole second,
 * and p99 within twice what it was before. Pure: the series in, the figures out.
 */

/** Successes are counted in ticks of this length: the resolution of recoveryMs. */
export const TICK_MS = 100;
/** How much of the time before a fault sets the level to recover to. */
export const BASELINE_MS = 5000;
const THROUGHPUT_BAND = 0.1;
const P99_FACTOR = 2;

export interface RecoveryInput {
  /** Successful operations in each tick from the start instant. */
  successesPerTick: ArrayLike<number>;
  /** p99 in us of each second from the start instant (index i is [i s, i+1 s)); NaN where none. */
  p99UsPerSecond: ArrayLike<number>;
  faultStartMs: number;
  faultEndMs: number;
  /** The level before the fault is taken from no earlier than this (the measured phase's start). */
  baselineFromMs: number;
  /** The series end here (end of the measured phase and drain). */
  untilMs: number;
}

export interface Recovery {
  recovered: boolean;
  /** Absent when the run ended before it recovered, or there was no level before to return to. */
  recoveryMs?: number;
  beforePerSec?: number;
  beforeP99Us?: number;
  /** Why recovery could not be judged, when it could not. */
  note?: string;
}

const sum = (xs: ArrayLike<number>, from: number, to: number) => {
  let n = 0;
  for (let i = Math.max(0, from); i < Math.min(xs.length, to); i++) n += xs[i]!;
  return n;
};

function maxP99(p99: ArrayLike<number>, fromMs: number, toMs: number): number {
  let worst = Number.NaN;
  for (let s = Math.floor(fromMs / 1000); s * 1000 < toMs && s < p99.length; s++) {
    const v = p99[s]!;
    if (!Number.isNaN(v)) worst = Number.isNaN(worst) ? v : Math.max(worst, v);
  }
  return worst;
}

export function recovery(input: RecoveryInput): Recovery {
  const { successesPerTick: ticks, faultStartMs: s, faultEndMs: e } = input;
  const from = Math.max(input.baselineFromMs, s - BASELINE_MS);
  const fromTick = Math.ceil(from / TICK_MS);
  const toTick = Math.floor(s / TICK_MS);
  if (toTick - fromTick < 1000 / TICK_MS)
    return {
      recovered: false,
      note: "less than a second of the measured phase before the fault: no level to recover to",
    };
  const beforePerSec = (sum(ticks, fromTick, toTick) / (toTick - fromTick)) * (1000 / TICK_MS);
  const beforeP99Us = maxP99(input.p99UsPerSecond, fromTick * TICK_MS, toTick * TICK_MS);
  const window = 1000 / TICK_MS;
  for (let t = Math.ceil(e / TICK_MS); (t + window) * TICK_MS <= input.untilMs; t++) {
    const perSec = sum(ticks, t, t + window);
    if (Math.abs(perSec - beforePerSec) > THROUGHPUT_BAND * beforePerSec) continue;
    const p99 = maxP99(input.p99UsPerSecond, t * TICK_MS, (t + window) * TICK_MS);
    if (!Number.isNaN(beforeP99Us) && !Number.isNaN(p99) && p99 > P99_FACTOR * beforeP99Us) continue;
    return { recovered: true, recoveryMs: Math.max(0, t * TICK_MS - e), beforePerSec, beforeP99Us };
  }
  return { recovered: false, beforePerSec, beforeP99Us };
}
