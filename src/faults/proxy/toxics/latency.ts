/** Latency: every chunk waits `delayMs`, plus up to `jitterMs` more at random. */
import type { Toxic } from "../toxic.js";

export class LatencyToxic implements Toxic {
  constructor(
    private readonly delayMs: number,
    private readonly jitterMs = 0,
    private readonly random: () => number = Math.random,
  ) {}

  release(_bytes: number, readyNs: number): number {
    return readyNs + (this.delayMs + this.random() * this.jitterMs) * 1e6;
  }
}
