/**
 * What a thread's successes looked like over time, for the fault figures: the stretches longer than
 * GAP_MIN_NS without one (kept exactly), and a count per 100 ms tick (the throughput series recovery
 * is judged on). Two logs per thread: publishes that succeeded (a PubAck, a reply), and deliveries.
 */
import { GAP_MIN_NS } from "../src/faults/availability.js";
import { TICK_MS } from "../src/faults/recovery.js";

const TICK_NS = TICK_MS * 1e6;

export class SuccessLog {
  /** Whether anything on this thread can succeed this way: a log with no source holds no information. */
  active = false;
  private lastNs = 0;
  private readonly gaps: number[] = [];
  private ticks = new Uint32Array(1024);
  private lastTick = -1;

  /** A success at `nowNs` (ns after the start instant). */
  record(nowNs: number): void {
    if (nowNs - this.lastNs > GAP_MIN_NS) this.gaps.push(this.lastNs, nowNs);
    if (nowNs > this.lastNs) this.lastNs = nowNs;
    const tick = Math.floor(nowNs / TICK_NS);
    if (tick < 0) return;
    if (tick >= this.ticks.length) {
      const grown = new Uint32Array(Math.max(tick + 1, this.ticks.length * 2));
      grown.set(this.ticks);
      this.ticks = grown;
    }
    this.ticks[tick]!++;
    if (tick > this.lastTick) this.lastTick = tick;
  }

  /** The log as it stands at `endNs`, the last stretch closed there. */
  finish(endNs: number): { gaps: number[]; ticks: number[] } | undefined {
    if (!this.active) return undefined;
    const gaps = [...this.gaps];
    if (endNs - this.lastNs > GAP_MIN_NS) gaps.push(this.lastNs, endNs);
    return { gaps, ticks: Array.from(this.ticks.subarray(0, this.lastTick + 1)) };
  }
}
