/** Bandwidth: the link carries at most `bytesPerSec`; a chunk leaves when the link has sent those before it. */
import type { Toxic } from "../toxic.js";

export class BandwidthToxic implements Toxic {
  private freeAtNs = 0;

  constructor(private readonly bytesPerSec: number) {}

  release(bytes: number, readyNs: number): number {
    this.freeAtNs = Math.max(this.freeAtNs, readyNs) + (bytes / this.bytesPerSec) * 1e9;
    return this.freeAtNs;
  }
}
