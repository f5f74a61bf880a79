/**
 * A Key-Value client (@nats-io/kv): each operation is drawn from the mix. A get reads a key (a miss when
 * it has no value); a put writes one; an update is a compare-and-set on the revision a get just read (a
 * conflict when another writer got there first; kvUpdate is the whole read-then-write cycle); a delete
 * removes one. Values carry their intended write time in the first 16 bytes, for the watchers.
 */
import { JetStreamApiCodes } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { KV_OPS, type KvOp } from "../src/contract/workloads.js";
import type { ClientTask, OpCounts } from "../src/engine/protocol.js";
import { failureKind } from "./failure-kind.js";
import { keyName, keySpace } from "./keys.js";
import type { OpDriver } from "./op-client.js";
import { PayloadFactory } from "./payload.js";
import type { ThreadRecorder } from "./recorder.js";

type KvTask = Extract<ClientTask, { role: "op" }> & { op: { workload: "kv" } };

const LATENCY = { get: "kvGet", put: "kvPut", update: "kvUpdate", delete: "kvDelete" } as const;
/** JetStream's "wrong last sequence": the key changed since the revision the update was based on. */
const CONFLICT_CODES: ReadonlySet<number> = new Set([
  JetStreamApiCodes.StreamWrongLastSequence,
  JetStreamApiCodes.StreamWrongLastSequenceUnknown,
]);

export class KvDriver implements OpDriver {
  private kv: KV | undefined;
  private readonly keys;
  private readonly values: PayloadFactory;
  /** Cumulative percentages, in KV_OPS order. */
  private readonly bounds: number[];
  private seq = 0;

  constructor(
    private readonly task: KvTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    private readonly counts: OpCounts,
  ) {
    const { kv, client } = task.op;
    this.keys = keySpace(kv.keys.count, kv.keys.distribution, kv.keys.zipfExponent);
    this.values = new PayloadFactory(kv.valueBytes.min, kv.valueBytes.max, true);
    let total = 0;
    this.bounds = KV_OPS.map((op) => (total += client.mix[op]));
  }

  async prepare(): Promise<void> {
    const { kv, client } = this.task.op;
    this.kv = await new Kvm(this.nc).open(kv.bucket.name, { timeout: client.timeoutMs });
  }

  private nextOp(): KvOp {
    const r = Math.random() * 100;
    // The bounds end at 100 and r < 100: some bound always lies above r.
    return KV_OPS[this.bounds.findIndex((b) => r < b)]!;
  }

  async issue(intendedRel: number, measured: boolean): Promise<boolean> {
    const op = this.nextOp();
    const key = keyName(this.task.op.kv.keys.prefix, this.keys.pick());
    const kv = this.kv!;
    try {
      switch (op) {
        case "get": {
          const e = await kv.get(key);
          if (e?.operation === "PUT") this.read(e.value.length, measured);
          else this.counts.misses++;
          break;
        }
        case "put": {
          const value = this.value(intendedRel);
          await kv.put(key, value);
          this.written(value.length, measured);
          break;
        }
        case "update": {
          const e = await kv.get(key);
          const value = this.value(intendedRel);
          try {
            // A key never written has no revision to compare: create it, which fails if another got there first.
            if (e) await kv.update(key, value, e.revision);
            else await kv.create(key, value);
          } catch (err) {
            if (!CONFLICT_CODES.has((err as { code?: number }).code ?? 0)) throw err;
            this.counts.conflicts++;
            return true;
          }
          this.written(value.length, measured);
          break;
        }
        case "delete":
          await kv.delete(key);
          break;
      }
    } catch (err) {
      this.rec.error(this.task.slot, `${LATENCY[op]}:${failureKind(err)}`);
      return false;
    }
    this.rec.record(LATENCY[op], (this.rec.relNow() - intendedRel) / 1000, measured);
    return true;
  }

  private value(intendedRel: number): Uint8Array {
    return this.values.make(this.rec.startNs + intendedRel, this.task.id, this.seq++);
  }

  private read(bytes: number, measured: boolean): void {
    this.counts.readBytes += bytes;
    if (measured) this.counts.measuredReadBytes += bytes;
  }

  private written(bytes: number, measured: boolean): void {
    this.counts.writtenBytes += bytes;
    if (measured) this.counts.measuredWrittenBytes += bytes;
  }
}
