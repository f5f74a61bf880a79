/**
 * One paced operation client (KV, Object Store, direct get): the shared LoadLoop, for operations that
 * are each a request. What an operation is, and what it records, is its driver's business.
 */
import { type ClientResult, type ClientTask, emptyResult, type OpCounts } from "../src/engine/protocol.js";
import { failureKind } from "./failure-kind.js";
import { type Issuer, LoadLoop } from "./load-loop.js";
import type { Pacer } from "./pacer.js";
import type { ThreadRecorder } from "./recorder.js";

type OpClientTask = Extract<ClientTask, { role: "op" }>;

/** What a workload plugs into an OpClient. */
export interface OpDriver {
  /** Before the start barrier: open the bucket, learn the stream's range. */
  prepare(): Promise<void>;
  /**
   * Runs one operation intended at `intendedRel` (ns after the start), records its latency and any
   * error (its kind by failureKind), and resolves true when it succeeded. Never rejects.
   */
  issue(intendedRel: number, measured: boolean): Promise<boolean>;
}

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

export class OpClient implements Issuer {
  readonly result: ClientResult;
  private readonly loop: LoadLoop;
  /** Operations issued since the last burst ended: the shared counter is written once a burst. */
  private unreportedSent = 0;

  constructor(
    private readonly task: OpClientTask,
    private readonly driver: OpDriver,
    private readonly rec: ThreadRecorder,
    pacer: Pacer,
    counts: OpCounts,
  ) {
    this.result = emptyResult(task.id, "op");
    this.result.ops = counts;
    const { client } = task.op;
    this.loop = new LoadLoop(
      {
        ratePerSec: task.ratePerSec,
        offsetNs: task.offsetNs,
        maxInFlight: client.maxInFlight,
        quota: task.quota,
        timeoutMs: client.timeoutMs,
        acknowledged: true,
      },
      this,
      rec,
      pacer,
      this.result,
    );
  }

  prepare(): Promise<void> {
    return this.driver.prepare();
  }

  stop(): void {
    this.loop.stop();
  }

  async run(): Promise<ClientResult> {
    try {
      await this.loop.run();
    } finally {
      this.rec.markDone(this.task.slot);
    }
    return this.result;
  }

  /** Starts one operation (see Issuer); the loop has counted it in flight. */
  issue(intendedRel: number, nowRel: number, measured: boolean): void {
    const r = this.result;
    r.sent++;
    if (this.rec.inMeasure(nowRel)) r.measuredSent++;
    this.unreportedSent++;
    void this.driver.issue(intendedRel, measured).then((ok) => {
      if (ok) {
        r.acked++;
        if (measured) r.measuredAcked++;
        this.rec.count(this.task.slot, "acked");
      }
      this.loop.release();
    });
  }

  /** The burst's operations reach the shared counter before any of them can complete. */
  endBurst(): void {
    if (this.unreportedSent === 0) return;
    this.rec.count(this.task.slot, "sent", this.unreportedSent);
    this.unreportedSent = 0;
  }

  /** A driver that threw instead of resolving false: counted under its kind, and the client stops. */
  failed(err: Error): void {
    this.rec.error(this.task.slot, failureKind(err));
  }
}
