/**
 * An Object Store client (@nats-io/obj): puts and gets whole objects by the mix, over a fixed set of
 * names. Every get is verified: benchline hashes what it read with SHA-256 and compares it with the
 * digest stored with the object (the library checks too); a mismatch counts as a checksum failure, not
 * as a get.
 */
import { createHash, type Hash, randomFillSync } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { type ObjectStore, Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClientTask, OpCounts } from "../src/engine/protocol.js";
import { STALLED, stalled } from "../src/util/time.js";
import { failureKind } from "./failure-kind.js";
import type { OpDriver } from "./op-client.js";
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

  /**
   * Reads a whole object and checks its digest; false when it was missing or corrupt (counted). A get
   * whose object is replaced while it reads waits for chunks the put purged, and the library would wait
   * for ever: such a get reads the new version, as a user would, and counts a miss when it never settles.
   */
  private async get(name: string, measured: boolean): Promise<boolean> {
    const deadlineMs = Date.now() + this.task.op.client.timeoutMs;
    for (let attempt = 0; attempt <= MAX_REREADS; attempt++) {
      const r = await this.os!.get(name);
      if (!r) break;
      const read = await this.read(name, r, deadlineMs);
      if (read === "replaced") continue;
      const { bytes, libraryError } = read;
      const digest = `SHA-256=${read.hash.digest("base64").replace(/\+/g, "-").replace(/\//g, "_")}`;
      if (libraryError && !/digest/i.test(libraryError.message)) throw libraryError;
      if (libraryError || digest !== r.info.digest || bytes !== r.info.size) {
        this.counts.checksumFailures++;
        return false;
      }
      this.counts.readBytes += bytes;
      if (measured) this.counts.measuredReadBytes += bytes;
      return true;
    }
    this.counts.misses++;
    return false;
  }

  /** Reads the chunks; "replaced" when they stopped coming because a put replaced the object. */
  private async read(
    name: string,
    r: ObjectResult,
    deadlineMs: number,
  ): Promise<"replaced" | { hash: Hash; bytes: number; libraryError: Error | null }> {
    const hash = createHash("sha256");
    let bytes = 0;
    const reader = r.data.getReader();
    // A read abandoned below leaves the library's promise of its outcome unawaited.
    Promise.resolve(r.error).catch(() => {});
    let libraryError: Error | null = null;
    try {
      for (;;) {
        const next = reader.read();
        let chunk = await stalled(next, STALL_MS);
        while (chunk === STALLED) {
          if (Date.now() >= deadlineMs) throw timeoutError(name);
          const now = await this.os!.info(name);
          if (now?.nuid !== r.info.nuid) return "replaced";
          chunk = await stalled(next, STALL_MS);
        }
        if (chunk.done) break;
        hash.update(chunk.value);
        bytes += chunk.value.length;
      }
    } catch (err) {
      libraryError = err as Error;
    } finally {
      // Stops the library's consumer when the read ended early (replaced, timed out).
      reader.cancel().catch(() => {});
    }
    libraryError ??= await r.error;
    return { hash, bytes, libraryError };
  }
}

type ObjectResult = NonNullable<Awaited<ReturnType<ObjectStore["get"]>>>;

/** No chunk for this long: check whether the object was replaced under the read. */
const STALL_MS = 250;
/** Gets that find their object replaced again and again count a miss after this many rereads. */
const MAX_REREADS = 3;

function timeoutError(name: string): Error {
  const err = new Error(`objGet ${name}: the object's chunks did not arrive in time`);
  err.name = "TimeoutError";
  return err;
}
