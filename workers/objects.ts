/**
 * An Object Store client (@nats-io/obj): puts and gets whole objects by the mix, over a fixed set of
 * names. Every get is verified: benchline hashes what it read with SHA-256 and compares it with the
 * digest stored with the object (the library checks too); a mismatch counts as a checksum failure, not
 * as a get.
 */
import { createHash, randomFillSync } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { type ObjectStore, Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClientTask, OpCounts } from "../src/engine/protocol.js";
import { failureKind, type OpDriver } from "./op-client.js";
import type { ThreadRecorder } from "./recorder.js";

type ObjectsTask = Extract<ClientTask, { role: "op" }> & { op: { workload: "objects" } };

/** The name of object i: every client and the preload use the same names. */
export function objectName(i: number): string {
  return `object-${i}`;
}

export class ObjectsDriver implements OpDriver {
  private os: ObjectStore | undefined;
  private readonly data: Uint8Array;

  constructor(
    private readonly task: ObjectsTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    private readonly counts: OpCounts,
  ) {
    this.data = randomFillSync(new Uint8Array(task.op.objects.sizeBytes.max));
  }

  async prepare(): Promise<void> {
    const js = jetstream(this.nc, { timeout: this.task.op.client.timeoutMs });
    this.os = await new Objm(js).open(this.task.op.objects.bucket.name);
  }

  async issue(intendedRel: number, measured: boolean): Promise<boolean> {
    const spec = this.task.op.objects;
    const name = objectName(Math.floor(Math.random() * spec.objects));
    const put = Math.random() * 100 < this.task.op.client.mix.put;
    const kind = put ? "objPut" : "objGet";
    try {
      if (put) {
        const { min, max } = spec.sizeBytes;
        const size = min + Math.floor(Math.random() * (max - min + 1));
        await this.os!.putBlob(
          { name, options: { max_chunk_size: spec.chunkBytes } },
          this.data.subarray(0, size),
        );
        this.counts.writtenBytes += size;
        if (measured) this.counts.measuredWrittenBytes += size;
      } else if (!(await this.get(name, measured))) {
        return true;
      }
    } catch (err) {
      this.rec.error(this.task.slot, `${kind}:${failureKind(err)}`);
      return false;
    }
    this.rec.record(kind, (this.rec.relNow() - intendedRel) / 1000, measured);
    return true;
  }

  /** Reads a whole object and checks its digest; false when it was missing or corrupt (counted). */
  private async get(name: string, measured: boolean): Promise<boolean> {
    const r = await this.os!.get(name);
    if (!r) {
      this.counts.misses++;
      return false;
    }
    const hash = createHash("sha256");
    let bytes = 0;
    const reader = r.data.getReader();
    let libraryError: Error | null = null;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
        bytes += value.length;
      }
    } catch (err) {
      libraryError = err as Error;
    }
    libraryError ??= await r.error;
    const digest = `SHA-256=${hash.digest("base64").replace(/\+/g, "-").replace(/\//g, "_")}`;
    if (libraryError && !/digest/i.test(libraryError.message)) throw libraryError;
    if (libraryError || digest !== r.info.digest || bytes !== r.info.size) {
      this.counts.checksumFailures++;
      return false;
    }
    this.counts.readBytes += bytes;
    if (measured) this.counts.measuredReadBytes += bytes;
    return true;
  }
}
