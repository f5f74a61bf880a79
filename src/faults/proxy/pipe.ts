/**
 * One direction of a proxied link: chunks pass through the toxics in order. With no toxic and nothing
 * queued a chunk is written at once; otherwise it waits in a queue until its release time, and the
 * queue never reorders. A source that outruns its toxics (bandwidth) is paused, as TCP would push back.
 */
import type { Socket } from "node:net";
import { HELD, type Toxic } from "./toxic.js";

/** Bytes queued before the source is paused. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

const nowNs = () => Number(process.hrtime.bigint());

export class Pipe {
  private toxics: Toxic[] = [];
  private readonly queue: Array<{ chunk: Buffer; atNs: number }> = [];
  private queuedBytes = 0;
  private lastAtNs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
  ) {
    from.on("data", (chunk: Buffer) => this.push(chunk));
  }

  setToxics(toxics: Toxic[]): void {
    this.toxics = toxics;
    // Held chunks leave now that what held them is gone (in order, after what is already due).
    if (!toxics.some((t) => t.holds)) {
      const now = nowNs();
      for (const q of this.queue) if (q.atNs === HELD) q.atNs = now;
      if (this.lastAtNs === HELD) this.lastAtNs = now;
    }
    this.schedule();
  }

  private push(chunk: Buffer): void {
    if (this.toxics.length === 0 && this.queue.length === 0) {
      this.to.write(chunk);
      return;
    }
    let atNs = nowNs();
    for (const t of this.toxics) atNs = t.release(chunk.length, atNs);
    atNs = Math.max(atNs, this.lastAtNs);
    this.lastAtNs = atNs;
    this.queue.push({ chunk, atNs });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER_BYTES) this.from.pause();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = nowNs();
    while (this.queue.length > 0 && this.queue[0]!.atNs <= now) {
      const { chunk } = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
      if (this.to.writable) this.to.write(chunk);
    }
    if (this.queuedBytes <= HIGH_WATER_BYTES && this.from.isPaused()) this.from.resume();
    const head = this.queue[0];
    if (head && head.atNs !== HELD) {
      this.timer = setTimeout(() => this.schedule(), Math.max(1, Math.ceil((head.atNs - now) / 1e6)));
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
  }
}
