/**
 * One paced operation client (KV, Object Store, direct get): the pacing publishers have, for operations
 * that are each a request. Open loop through the thread's Pacer (latency from the intended time, lag
 * recorded as sendLag) or closed loop (`max`, at most maxInFlight outstanding). What an operation is,
 * and what it records, is its driver's business.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type ClientResult, type ClientTask, emptyResult, type OpCounts } from "../src/engine/protocol.js";
import { DONE, type Paced, type Pacer, WAITING } from "./pacer.js";
import type { ThreadRecorder } from "./recorder.js";
import { openLoopSchedule, type Schedule } from "./schedule.js";

type OpClientTask = Extract<ClientTask, { role: "op" }>;

/** What a workload plugs into an OpClient. */
export interface OpDriver {
  /** Before the start barrier: open the bucket, learn the stream's range. */
  prepare(): Promise<void>;
  /**
   * Runs one operation intended at `intendedRel` (ns after the start), records its latency and any
   * error, and resolves true when it succeeded. Never rejects.
   */
  issue(intendedRel: number, measured: boolean): Promise<boolean>;
}

/** An open-loop client still behind this long after the measured phase stops. */
const SEND_GRACE_NS = 1e9;
const MAX_BURST = 256;

export function emptyOpCounts(): OpCounts {
  return {
    misses: 0,
    conflicts: 0,
    checksumFailures: 0,
    watched: 0,
    readBytes: 0,
    writtenBytes: 0,
    measuredReadBytes: 0,
    measuredWrittenBytes: 0,
  };
}

/** One word for why an operation failed: the error kinds a result counts. */
export function failureKind(err: unknown): string {
  const e = err as Error & { code?: number | string; cause?: Error };
  const name = `${e?.name ?? ""} ${e?.cause?.name ?? ""}`;
  if (/Timeout/i.test(name) || /timeout/i.test(e?.message ?? "")) return "timeout";
  if (/NoResponders/i.test(name) || /no responders/i.test(e?.message ?? "")) return "noResponders";
  if (/JetStreamApiError/.test(name) && e.code !== undefined) return `api:${e.code}`;
  return (e?.name || "Error").replace(/\s+/g, "");
}

export class OpClient implements Paced {
  readonly result: ClientResult;
  private stopped = false;
  private inFlight = 0;
  private schedule: Schedule | undefined;
  private nextIndex = 0;
  private waitingForWindow = false;
  private done: (() => void) | undefined;
  private windowOpen: (() => void) | undefined;
  private drained: (() => void) | undefined;

  constructor(
    private readonly task: OpClientTask,
    private readonly driver: OpDriver,
    private readonly rec: ThreadRecorder,
    private readonly pacer: Pacer,
    counts: OpCounts,
  ) {
    this.result = emptyResult(task.id, "op");
    this.result.ops = counts;
  }

  prepare(): Promise<void> {
    return this.driver.prepare();
  }

  stop(): void {
    this.stopped = true;
    this.windowOpen?.();
    if (this.done) this.pacer.wake();
    this.drained?.();
  }

  async run(): Promise<ClientResult> {
    try {
      while (this.rec.relNow() < 0) await sleep(Math.max(1, Math.ceil(-this.rec.relNow() / 1e6)));
      if (this.task.ratePerSec === "max") await this.closedLoop();
      else await this.openLoop(this.task.ratePerSec);
      await this.outstanding();
    } finally {
      this.rec.markDone(this.task.slot);
    }
    return this.result;
  }

  private openLoop(ratePerSec: number): Promise<void> {
    this.schedule = openLoopSchedule(this.task.offsetNs, 1e9 / ratePerSec);
    return new Promise((resolve) => {
      this.done = resolve;
      this.pacer.add(this);
    });
  }

  /** Issues every operation due by now; see Paced. */
  pace(): number {
    const schedule = this.schedule!;
    const now = this.rec.relNow();
    const endNs = this.rec.measureEndNs();
    if (this.stopped || now >= endNs + SEND_GRACE_NS) {
      if (!this.stopped) this.result.unsent = Math.max(0, schedule.dueBy(endNs) - this.nextIndex);
      return this.finishOpenLoop();
    }
    let intended = schedule.at(this.nextIndex);
    let burst = 0;
    while (intended <= now && burst < MAX_BURST) {
      if (intended >= endNs) return this.finishOpenLoop();
      if (this.inFlight >= this.task.op.client.maxInFlight) {
        this.waitingForWindow = true;
        return WAITING;
      }
      const measured = this.rec.inMeasure(intended);
      const lagNs = now - intended;
      this.rec.record("sendLag", lagNs / 1000, measured);
      if (lagNs > this.rec.lateSendThresholdNs) this.result.lateSends++;
      this.issue(intended, now);
      this.nextIndex++;
      burst++;
      intended = schedule.at(this.nextIndex);
    }
    return intended >= endNs ? this.finishOpenLoop() : intended;
  }

  private finishOpenLoop(): number {
    this.done?.();
    this.done = undefined;
    return DONE;
  }

  private async closedLoop(): Promise<void> {
    for (;;) {
      while (this.inFlight < this.task.op.client.maxInFlight) {
        const now = this.rec.relNow();
        if (this.stopped || now >= this.rec.measureEndNs()) return;
        this.issue(now, now);
      }
      await new Promise<void>((resolve) => {
        this.windowOpen = resolve;
      });
      this.windowOpen = undefined;
    }
  }

  private issue(intendedRel: number, nowRel: number): void {
    const r = this.result;
    const measured = this.rec.inMeasure(intendedRel);
    r.sent++;
    if (this.rec.inMeasure(nowRel)) r.measuredSent++;
    this.rec.count(this.task.slot, "sent");
    this.inFlight++;
    void this.driver.issue(intendedRel, measured).then((ok) => {
      if (ok) {
        r.acked++;
        if (measured) r.measuredAcked++;
        this.rec.count(this.task.slot, "acked");
      }
      this.release();
    });
  }

  private release(): void {
    this.inFlight--;
    this.windowOpen?.();
    if (this.waitingForWindow) {
      this.waitingForWindow = false;
      this.pacer.wake();
    }
    if (this.inFlight === 0) this.drained?.();
  }

  /** After the last operation: wait for those still out, at most their timeout. */
  private async outstanding(): Promise<void> {
    if (this.inFlight === 0 || this.stopped) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      timer = setTimeout(resolve, this.task.op.client.timeoutMs + 100);
    });
    clearTimeout(timer);
  }
}
