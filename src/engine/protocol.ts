/**
 * What the coordinator and the worker threads say to each other, and the shared counters they both see.
 * Times are nanoseconds on the host-wide monotonic clock (process.hrtime.bigint), which every thread shares.
 */
import type { MessagePort } from "node:worker_threads";
import type { ConsumerSpec, PublisherSpec, ResponderSpec } from "../profile/profile.js";
import type { ConnectSpec } from "./connect-options.js";

/** Latency kinds a run can produce (DESIGN.md names). */
export const LATENCY_KINDS = ["pubAck", "pubAckRaw", "e2e", "sendLag", "request", "ack"] as const;
export type LatencyKind = (typeof LATENCY_KINDS)[number];

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
    }
  | {
      role: "consumer";
      id: number;
      slot: number;
      spec: ConsumerSpec;
      durable?: string;
      group: number;
      connection: number;
    }
  | { role: "responder"; id: number; slot: number; spec: ResponderSpec; connection: number };

/** The phases of a run, relative to the start instant. */
export interface Timing {
  warmupNs: number;
  /** End of the measured phase for time-bounded runs; Infinity when `messages` bounds it. */
  measureEndNs: number;
  /** Publishers that wait this long for outstanding acks before they give up on them. */
  lateSendThresholdUs: number;
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
}

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
  /** Open-loop publisher: messages due before the end that it never sent (it fell too far behind). */
  unsent: number;
  /** Publisher: bit per own sequence that the server acknowledged (core: every sent one). */
  acknowledged?: Uint8Array;
  /** Consumer: per publisher id, bit per sequence received. */
  seen?: Array<Uint8Array | null>;
}

/** What a worker thread returns. */
export interface ThreadResult {
  thread: number;
  clients: ClientResult[];
  histograms: Partial<Record<LatencyKind, string>>;
  errors: Record<string, number>;
  reconnects: number;
  /** Publishes and subscriptions the server refused for want of permission. */
  permissionViolations: number;
}

/**
 * Shared counters: one row of Float64 per client, written by the client's thread only, read by the
 * coordinator for progress and to know when consumers have caught up. A header row holds run-wide values.
 */
export const COUNTER = { sent: 0, acked: 1, errors: 2, consumed: 3, done: 4 } as const;
export const COUNTER_FIELDS = 5;
/** Header row: the measured phase's end (ns from start), set when publishers finish a message-bounded run. */
export const HEADER = { measureEndNs: 0 } as const;
export const HEADER_FIELDS = 1;

export function createCounters(clients: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * (HEADER_FIELDS + clients * COUNTER_FIELDS));
}

export function counterIndex(slot: number, field: number): number {
  return HEADER_FIELDS + slot * COUNTER_FIELDS + field;
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
