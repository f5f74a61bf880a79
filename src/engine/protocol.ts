/**
 * What the coordinator and the worker threads say to each other, and the shared counters they both see.
 * Times are nanoseconds on the coordinator's monotonic clock (process.hrtime.bigint): the host's own for a
 * local run; on an agent, its clock less the offset measured to the coordinator (ThreadTask.clockOffsetNs).
 */
import type { MessagePort } from "node:worker_threads";
import type { DataPath } from "../contract/data-path.js";
import type { LatencyKind } from "../contract/latency.js";
import type { PermissionRefusal } from "../contract/permissions.js";
import type { ConsumerSpec, PublisherSpec, ResponderSpec } from "../contract/profile.js";
import type { KvSpec, OpTask } from "../contract/workloads.js";
import type { ConnectSpec } from "./connect-options.js";

/** One client a thread runs: a publisher, consumer or responder instance. */
export type ClientTask =
  | {
      role: "publisher";
      id: number;
      slot: number;
      spec: PublisherSpec;
      ratePerSec: number | "max";
      offsetNs: number;
      quota?: number;
      connection: number;
      /** Keep the stream sequence of every acknowledged message (the acked-loss check needs them). */
      keepStreamSeqs?: boolean;
    }
  | {
      role: "consumer";
      id: number;
      slot: number;
      spec: ConsumerSpec;
      durable?: string;
      group: number;
      connection: number;
      /** Read timing and identity from the Benchline-Timing header when a message has one. */
      timingHeader?: boolean;
      /** Every message counts, whoever wrote it: a backlog benchline did not publish, or timing off. */
      anyPayload?: boolean;
      /** No publishers: the consumer drains a backlog, from the start instant on. */
      consumeOnly?: boolean;
    }
  | { role: "responder"; id: number; slot: number; spec: ResponderSpec; connection: number }
  | {
      /** A paced operation client: KV, Object Store or direct get. */
      role: "op";
      id: number;
      slot: number;
      op: OpTask;
      ratePerSec: number | "max";
      offsetNs: number;
      /** Operations intended in the measured phase after which the client stops (none: the phase's end). */
      quota?: number;
      connection: number;
    }
  | { role: "watcher"; id: number; slot: number; kv: KvSpec; connection: number };

/** The phases of a run, relative to the start instant. */
export interface Timing {
  warmupNs: number;
  /** End of the measured phase for time-bounded runs; Infinity when `messages` bounds it. */
  measureEndNs: number;
  /** Publishers that wait this long for outstanding acks before they give up on them. */
  lateSendThresholdUs: number;
  /**
   * Fault runs: windows [fromNs, toNs) of intended send times (before, during and after each fault, as
   * planned) whose latency is kept apart, so a fault's latency is that of the messages meant to be sent
   * during it, whenever they completed.
   */
  latencyWindows?: Array<[number, number]>;
}

/** One piscina task: everything one worker thread runs. */
export interface ThreadTask {
  thread: number;
  servers: string[];
  connect: ConnectSpec;
  connections: number;
  stream?: string;
  publisherCount: number;
  clients: ClientTask[];
  timing: Timing;
  /** Record histograms (off only to measure what recording costs). */
  record: boolean;
  counters: SharedArrayBuffer;
  port: MessagePort;
  /**
   * This host's monotonic clock minus the coordinator's (ns); absent or 0 on the coordinator's host. Every
   * time a thread reads or writes (start instant, payload send times) is on the coordinator's clock, so
   * e2e latency between hosts needs no correction after the fact.
   */
  clockOffsetNs?: number;
}

/** Per-second figures of one thread. */
export interface IntervalSnapshot {
  thread: number;
  index: number;
  published: number;
  acked: number;
  consumed: number;
  errors: number;
  /** This second's errors by kind (publish and consumer kinds alike). */
  errorKinds: Record<string, number>;
  histograms: Partial<Record<LatencyKind, string>>;
  /** Fault runs: seconds of intended send time settled by now (see IntendedPart). */
  intended?: IntendedPart[];
}

/**
 * Fault runs: the latency of the operations intended to be sent in second `index` (ns / 1e9 after the
 * start instant), whenever they completed; `failed` ones at the time they took to fail. A second may
 * come in several parts (a late completion after its second was handed over): they add up.
 */
export interface IntendedPart {
  index: number;
  kind: LatencyKind;
  failed?: boolean;
  hdr: string;
}

/** A fault window's histogram of the failed operations of a kind is kept under this key. */
export const FAILED_SUFFIX = ":failed";
export const failedKey = (kind: string) => `${kind}${FAILED_SUFFIX}`;

export type ToWorker = { type: "go"; startNs: bigint } | { type: "stop-publishers" } | { type: "stop" };
export type FromWorker =
  | { type: "ready"; thread: number }
  | { type: "interval"; snapshot: IntervalSnapshot }
  | { type: "fault"; thread: number; message: string };

/** What one client did, returned at the end of its thread's task. */
export interface ClientResult {
  id: number;
  role: ClientTask["role"];
  sent: number;
  sentBytes: number;
  acked: number;
  consumed: number;
  consumedBytes: number;
  duplicates: number;
  redeliveries: number;
  gaps: number;
  measuredSent: number;
  measuredSentBytes: number;
  measuredAcked: number;
  measuredConsumed: number;
  measuredConsumedBytes: number;
  lateSends: number;
  /**
   * Of lateSends, those sent late because the in-flight window (maxInFlight) was full: the server had
   * stopped answering, not the generator falling behind. Absent where none.
   */
  lateSendsWindowFull?: number;
  /** Open-loop publisher: messages due before the end that it never sent (it fell too far behind). */
  unsent: number;
  /** Publisher: bit per own sequence that the server acknowledged (core: every sent one). */
  acknowledged?: Uint8Array;
  /** JetStream publisher in a fault run: the stream sequence of each acknowledged own sequence. */
  streamSeqs?: Uint32Array;
  /** Consumer: per publisher id, bit per sequence received. */
  seen?: Array<Uint8Array | null>;
  /** Consumer: when it received its last message, ns after the start instant (a drain's end). */
  lastConsumedNs?: number;
  /** A publisher driving a service endpoint: its own errors by kind. */
  errorKinds?: Record<string, number>;
  /** Operation clients and watchers: what their operations found. */
  ops?: OpCounts;
}

/** What an operation client (or a KV watcher) counted, whole run unless named measured. */
export interface OpCounts {
  /** KV gets of a key with no value (never written, deleted, expired). */
  misses: number;
  /** KV updates refused because another writer changed the key since it was read. */
  conflicts: number;
  /** Object gets whose content did not match the stored SHA-256 digest. */
  checksumFailures: number;
  /** Watch updates received. */
  watched: number;
  readBytes: number;
  writtenBytes: number;
  measuredReadBytes: number;
  measuredWrittenBytes: number;
}

/** What a worker thread returns. */
export interface ThreadResult {
  thread: number;
  clients: ClientResult[];
  histograms: Partial<Record<LatencyKind, string>>;
  /** Histograms under names of their own: a service endpoint's requests. */
  named?: Record<string, string>;
  errors: Record<string, number>;
  reconnects: number;
  /** Publishes and subscriptions the server refused for want of permission. */
  permissionViolations: number;
  /** Which data path this thread's clients took (absent from agents older than this field). */
  dataPath?: DataPath;
  /** What was refused, per subject (absent when nothing was). */
  permissionRefusals?: PermissionRefusal[];
  /** Successful publishes and deliveries over time (absent where the thread has no such client). */
  successes?: { publishes?: SuccessSeries; deliveries?: SuccessSeries };
  /** Each reconnect of this thread's connections: [disconnectedNs, reconnectedNs, ...] after the start instant. */
  reconnectEvents?: number[];
  /**
   * Fault runs: per Timing.latencyWindows entry, its histograms (encoded) by kind, failed operations
   * included at their time to failure, and by failedKey(kind) the failed ones alone.
   */
  windowHistograms?: Array<Record<string, string>>;
}

/** A thread's successes: stretches without one ([from, to, ...] ns) and counts per 100 ms tick. */
export interface SuccessSeries {
  gaps: number[];
  ticks: number[];
}

/**
 * Shared counters: one row of Float64 per client, written by the client's thread only, read by the
 * coordinator for progress and to know when consumers have caught up. A header row holds run-wide values.
 * Each row is a 64-byte cache line of its own: a consumer reads the header for every message, and with
 * 5-field rows the header shared its line with the first clients' counters, so every burst a publisher
 * counted made the consumer's next read miss (false sharing). Agents send only the fields in use.
 */
export const COUNTER = { sent: 0, acked: 1, errors: 2, consumed: 3, done: 4 } as const;
/** The fields of a row in use (what an agent sends of each row). */
export const COUNTER_FIELDS = 5;
/** A row's width in memory: one 64-byte line. */
export const COUNTER_STRIDE = 8;
/** Header row: the measured phase's end (ns from start), set when publishers finish a message-bounded run. */
export const HEADER = { measureEndNs: 0 } as const;
/** The header row's width in memory, a line of its own too. */
export const HEADER_FIELDS = 8;

export function createCounters(clients: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * (HEADER_FIELDS + clients * COUNTER_STRIDE));
}

export function counterIndex(slot: number, field: number): number {
  return HEADER_FIELDS + slot * COUNTER_STRIDE + field;
}

/** A client's result before it has done anything. */
export function emptyResult(id: number, role: ClientResult["role"]): ClientResult {
  return {
    id,
    role,
    sent: 0,
    sentBytes: 0,
    acked: 0,
    consumed: 0,
    consumedBytes: 0,
    duplicates: 0,
    redeliveries: 0,
    gaps: 0,
    measuredSent: 0,
    measuredSentBytes: 0,
    measuredAcked: 0,
    measuredConsumed: 0,
    measuredConsumedBytes: 0,
    lateSends: 0,
    unsent: 0,
  };
}
