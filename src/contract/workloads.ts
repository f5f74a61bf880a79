/** The resolved workloads beyond streams: Key-Value, Object Store, direct get, shaped payloads. Units in names. */

export type KvOp = "get" | "put" | "update" | "delete";
export const KV_OPS: readonly KvOp[] = ["get", "put", "update", "delete"];

/** A Key-Value load: one bucket, a key space, clients with a mix, optional watchers. */
export interface KvSpec {
  bucket: {
    name: string;
    history: number;
    storage: "file" | "memory";
    replicas: number;
    ttlMs?: number;
    maxValueBytes?: number;
    deleteAfter: boolean;
  };
  keys: {
    count: number;
    distribution: "uniform" | "zipf";
    zipfExponent: number;
    prefix: string;
    preload: boolean;
  };
  valueBytes: { min: number; max: number };
  clients: KvClientSpec[];
  watchers?: { count: number; keys: string };
}

/** A group of identical KV clients; `ratePerSec` is across the group, `mix` in percent adding to 100. */
export interface KvClientSpec {
  name: string;
  count: number;
  ratePerSec: number | "max";
  maxInFlight: number;
  mix: Record<KvOp, number>;
  timeoutMs: number;
}

/** An Object Store load: one bucket, objects of a size or range, clients with a put/get mix. */
export interface ObjectsSpec {
  bucket: { name: string; storage: "file" | "memory"; replicas: number; deleteAfter: boolean };
  sizeBytes: { min: number; max: number };
  chunkBytes: number;
  objects: number;
  clients: ObjectsClientSpec[];
}

/** A group of identical Object Store clients; `ratePerSec` is across the group, `mix` in percent. */
export interface ObjectsClientSpec {
  name: string;
  count: number;
  ratePerSec: number | "max";
  maxInFlight: number;
  mix: { put: number; get: number };
  timeoutMs: number;
}

/** Direct gets on the profile's stream. */
export interface DirectSpec {
  preload?: { messages: number; subject: string; spread: number; sizeBytes: number };
  clients: DirectClientSpec[];
}

/** A group of identical direct get clients: by sequence, or the last message of a subject. */
export interface DirectClientSpec {
  name: string;
  count: number;
  ratePerSec: number | "max";
  maxInFlight: number;
  by: "sequence" | "subject";
  subject?: string;
  spread: number;
  timeoutMs: number;
}

/** A payload the user shapes; paths are absolute (resolved against the profile's directory). */
export type PayloadSpec =
  | { kind: "file"; path: string }
  | { kind: "dir"; path: string }
  | { kind: "template"; text: string };

/**
 * Where a publisher puts the timing and identity e2e latency and loss need: the first 16 payload bytes
 * (generated payloads), a header (shaped payloads: the user's bytes stay as they are), or nowhere.
 */
export type TimingCarrier = "payload" | "header" | "off";

/** One paced operation client as a worker runs it: its workload and its own settings. */
export type OpTask =
  | { workload: "kv"; kv: KvSpec; client: KvClientSpec }
  | { workload: "objects"; objects: ObjectsSpec; client: ObjectsClientSpec }
  | { workload: "direct"; direct: DirectSpec; client: DirectClientSpec; stream: string };
