/**
 * A KV watcher: sees every put to the watched keys from the start of the run on, and records kvWatch,
 * the put's intended time (in the value's first bytes) to the watch update's arrival.
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { type ClientResult, type ClientTask, emptyResult } from "../src/engine/protocol.js";
import { emptyOpCounts } from "./op-client.js";
import { readIntendedNs } from "./payload.js";
import type { ThreadRecorder } from "./recorder.js";

type WatcherTask = Extract<ClientTask, { role: "watcher" }>;

export class KvWatcher {
  private readonly result: ClientResult;
  private stopWatch: (() => void) | undefined;
  private started = false;

  constructor(
    private readonly task: WatcherTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
  ) {
    this.result = emptyResult(task.id, "watcher");
    this.result.ops = emptyOpCounts();
  }

  async prepare(): Promise<void> {
    const { kv: spec } = this.task;
    const kv = await new Kvm(this.nc).open(spec.bucket.name);
    const keys = spec.watchers!.keys === ">" ? ">" : spec.watchers!.keys;
    const updates = await kv.watch({ key: keys, include: "updates", ignoreDeletes: true });
    this.stopWatch = () => updates.stop();
    void (async () => {
      for await (const e of updates) {
        if (!this.started || e.operation !== "PUT") continue;
        this.onPut(e.value);
      }
    })().catch(() => this.rec.error(this.task.slot, "kvWatch:watchFailed"));
  }

  start(): void {
    this.started = true;
  }

  private onPut(value: Uint8Array): void {
    const intendedAbs = readIntendedNs(value);
    if (intendedAbs < 0) return;
    const now = this.rec.relNow();
    const intendedRel = intendedAbs - this.rec.startNs;
    this.rec.record("kvWatch", (now - intendedRel) / 1000, this.rec.inMeasure(intendedRel));
    const r = this.result;
    r.consumed++;
    r.consumedBytes += value.length;
    r.ops!.watched++;
    if (this.rec.inMeasure(now)) {
      r.measuredConsumed++;
      r.measuredConsumedBytes += value.length;
    }
    this.rec.count(this.task.slot, "consumed");
  }

  stop(): ClientResult {
    try {
      this.stopWatch?.();
    } catch {
      // the connection may be gone already
    }
    return this.result;
  }
}
