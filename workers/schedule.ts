/**
 * When an open-loop publisher means to send message i: evenly at its rate, or in bursts (at the rate for
 * `on`, at the start of every `every`, nothing between). Latency is measured from these instants.
 */
export interface Schedule {
  /** Intended send time of message i, in ns after the start instant. */
  at(i: number): number;
  /** How many messages are due at or before t (ns after the start instant). */
  dueBy(t: number): number;
}

export function openLoopSchedule(
  offsetNs: number,
  intervalNs: number,
  burst?: { onMs: number; everyMs: number },
): Schedule {
  if (!burst) {
    return {
      at: (i) => offsetNs + i * intervalNs,
      dueBy: (t) => Math.max(0, Math.ceil((t - offsetNs) / intervalNs)),
    };
  }
  const everyNs = burst.everyMs * 1e6;
  const perBurst = Math.max(1, Math.floor((burst.onMs * 1e6) / intervalNs));
  return {
    at: (i) => offsetNs + Math.floor(i / perBurst) * everyNs + (i % perBurst) * intervalNs,
    dueBy: (t) => {
      const rel = t - offsetNs;
      if (rel <= 0) return 0;
      const bursts = Math.floor(rel / everyNs);
      return bursts * perBurst + Math.min(perBurst, Math.ceil((rel - bursts * everyNs) / intervalNs));
    },
  };
}
