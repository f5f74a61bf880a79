/**
 * Sets up and tears down what the workloads beyond streams need before the start barrier: the KV bucket
 * (made or opened, keys preloaded), the Object Store bucket (objects preloaded), direct gets (the server
 * must be 2.9 or later and the stream must allow them; messages preloaded), and the micro services a
 * profile drives (each endpoint must exist). The KV and object bucket options are the one place their
 * wire names appear.
 */
import { randomFillSync } from "node:crypto";
import { type JetStreamManager, jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Profile } from "../contract/profile.js";
import type { KvSpec, ObjectsSpec } from "../contract/workloads.js";
import { RuntimeFailure, UsageError } from "../errors.js";
import { findEndpoint } from "./services.js";

/** What setup made, so teardown removes exactly that. */
export interface WorkloadState {
  kvBucket?: string;
  objectsBucket?: string;
}

/** Direct get arrived in nats-server 2.9.0. */
export const DIRECT_GET_MIN_VERSION = [2, 9, 0] as const;

export function versionAtLeast(version: string | undefined, min: readonly number[]): boolean {
  const parts = (version ?? "").replace(/^v/, "").split(/[.-]/).map(Number);
  for (let i = 0; i < min.length; i++) {
    const v = parts[i] ?? 0;
    if (Number.isNaN(v)) return false;
    if (v !== min[i]) return v > min[i]!;
  }
  return true;
}

function storage(s: "file" | "memory"): StorageType {
  return s === "memory" ? StorageType.Memory : StorageType.File;
}

export async function setupWorkloads(
  nc: NatsConnection,
  profile: Profile,
  file: string,
): Promise<WorkloadState> {
  const state: WorkloadState = {};
  try {
    for (const [i, p] of profile.publishers.entries()) {
      if (p.service)
        await findEndpoint(nc, p.service.name, p.service.endpoint, `${file}: publishers[${i}].service`);
    }
    if (profile.kv) state.kvBucket = await setupKv(nc, profile.kv);
    if (profile.objects) state.objectsBucket = await setupObjects(nc, profile.objects);
    if (profile.direct) await setupDirect(nc, profile, file);
  } catch (err) {
    await teardownWorkloads(nc, profile, state).catch(() => {});
    if (err instanceof UsageError || err instanceof RuntimeFailure) throw err;
    throw new RuntimeFailure(`cannot set up the workload: ${(err as Error).message}`, { cause: err });
  }
  return state;
}

async function bucketExists(jsm: JetStreamManager, stream: string): Promise<boolean> {
  return jsm.streams.info(stream).then(
    () => true,
    () => false,
  );
}

/** Makes the bucket (or opens it) and writes every key once when asked; returns its name when made here. */
async function setupKv(nc: NatsConnection, spec: KvSpec): Promise<string | undefined> {
  const jsm = await jetstreamManager(nc);
  const existed = await bucketExists(jsm, `KV_${spec.bucket.name}`);
  const b = spec.bucket;
  const kv = await new Kvm(nc).create(b.name, {
    history: b.history,
    storage: storage(b.storage),
    replicas: b.replicas,
    ...(b.ttlMs !== undefined && { ttl: b.ttlMs }),
    ...(b.maxValueBytes !== undefined && { maxValueSize: b.maxValueBytes }),
  });
  if (spec.keys.preload) {
    const value = randomFillSync(new Uint8Array(spec.valueBytes.min));
    // Puts in windows: one round trip per key would make a large key space slow to set up.
    const window = 256;
    for (let from = 0; from < spec.keys.count; from += window) {
      const puts: Promise<number>[] = [];
      for (let i = from; i < Math.min(spec.keys.count, from + window); i++)
        puts.push(kv.put(`${spec.keys.prefix}.${i}`, value));
      await Promise.all(puts);
    }
  }
  return existed ? undefined : b.name;
}

async function setupObjects(nc: NatsConnection, spec: ObjectsSpec): Promise<string | undefined> {
  const jsm = await jetstreamManager(nc);
  const existed = await bucketExists(jsm, `OBJ_${spec.bucket.name}`);
  const os = await new Objm(jetstream(nc, { timeout: 30_000 })).create(spec.bucket.name, {
    storage: storage(spec.bucket.storage),
    replicas: spec.bucket.replicas,
  });
  const data = randomFillSync(new Uint8Array(spec.sizeBytes.max));
  for (let i = 0; i < spec.objects; i++) {
    await os.putBlob(
      { name: `object-${i}`, options: { max_chunk_size: spec.chunkBytes } },
      data.subarray(0, spec.sizeBytes.min),
    );
  }
  return existed ? undefined : spec.bucket.name;
}

async function setupDirect(nc: NatsConnection, profile: Profile, file: string): Promise<void> {
  const version = nc.info?.version;
  if (!versionAtLeast(version, DIRECT_GET_MIN_VERSION)) {
    throw new UsageError(
      `${file}: direct: nats-server ${version ?? "(unknown version)"} has no direct get; it needs ${DIRECT_GET_MIN_VERSION.join(".")} or later`,
    );
  }
  const stream = profile.stream!;
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream.name);
  if (!info.config.allow_direct) {
    throw new UsageError(
      `${file}: direct: stream ${stream.name} exists without allow_direct; update it (nats stream edit ${stream.name} --allow-direct) or use another stream name`,
    );
  }
  const preload = profile.direct!.preload;
  if (!preload) return;
  const body = randomFillSync(new Uint8Array(preload.sizeBytes));
  const js = jetstream(nc);
  const window = 256;
  for (let from = 0; from < preload.messages; from += window) {
    const acks: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(preload.messages, from + window); i++) {
      const subject = preload.spread > 1 ? `${preload.subject}.${i % preload.spread}` : preload.subject;
      acks.push(js.publish(subject, body));
    }
    await Promise.all(acks);
  }
}

/** Removes the buckets setup made, when the profile says so. */
export async function teardownWorkloads(
  nc: NatsConnection,
  profile: Profile,
  state: WorkloadState,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  if (state.kvBucket && profile.kv?.bucket.deleteAfter)
    await jsm.streams.delete(`KV_${state.kvBucket}`).catch(() => {});
  if (state.objectsBucket && profile.objects?.bucket.deleteAfter)
    await jsm.streams.delete(`OBJ_${state.objectsBucket}`).catch(() => {});
}
