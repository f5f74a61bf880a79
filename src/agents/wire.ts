/**
 * What a coordinator and its agents say to each other over the control server: the subjects, the
 * messages, and how a value too big for one message travels (structured-clone bytes, gzipped, cut to
 * the server's max_payload). Both ends are benchline of one version (discovery checks), so the bytes of
 * v8.serialize are a format both read, typed arrays (bitsets, stream sequences) included.
 */

import { deserialize, serialize } from "node:v8";
import { gunzipSync, gzipSync } from "node:zlib";
import type { AuthSpec, ConnectionSpec } from "../contract/profile.js";
import type { PlanThread } from "../engine/executor.js";
import { COUNTER_STRIDE, HEADER_FIELDS, type Timing } from "../engine/protocol.js";

/** The micro service name every agent registers; $SRV.INFO.benchline-agent lists them. */
export const AGENT_SERVICE = "benchline-agent";
/** Root of the control subjects unless --control-prefix says otherwise. */
export const DEFAULT_CONTROL_PREFIX = "benchline";

export const VERBS = ["clock", "prepare", "go", "update", "stop", "result", "release"] as const;
export type Verb = (typeof VERBS)[number];

/** The group an agent's endpoints live in: `<prefix>.agent.<name>.<verb>`. */
export function agentGroup(prefix: string, name: string): string {
  return `${prefix}.agent.${name}`;
}

/** Where an agent streams a run's counters, snapshots and faults: `<prefix>.data.<runId>`. */
export function dataSubject(prefix: string, runId: string): string {
  return `${prefix}.data.${runId}`;
}

/** Headers of a data message and of a chunked request. */
export const HEADER_AGENT = "Benchline-Agent";
export const HEADER_KIND = "Benchline-Kind";
/** `<index>/<count>` of a value cut into parts. */
export const HEADER_CHUNK = "Benchline-Chunk";
/** A prepare's run id and the coordinator's host, on every part: the first part claims the agent. */
export const HEADER_RUN = "Benchline-Run";
/** The composed run a share belongs to: an agent takes shares of several loads of one run (tenants). */
export const HEADER_GROUP = "Benchline-Group";
export const HEADER_FROM = "Benchline-From";

export type DataKind = "rows" | "interval" | "fault";

/** An agent's part of a run: everything it needs besides its own credentials. */
export interface PrepareRequest {
  runId: string;
  /** Clients of the whole run: slots are run-wide. */
  totalClients: number;
  /** The agent's client slots, in the order of the counter rows it sends. */
  slots: number[];
  threads: PlanThread[];
  /** Server URLs without user:password; the agent connects with its own credentials. */
  servers: string[];
  /** Names, timeouts and reconnects; never auth or TLS files, which are the agent's own. */
  connection: ConnectionSpec;
  pinned?: boolean;
  stream?: string;
  connectionsPerWorker: number;
  publisherCount: number;
  timing: Timing;
  record: boolean;
  /** The agent's clock minus the coordinator's, as the coordinator measured it. */
  clockOffsetNs: number;
  dataSubject: string;
  /** The agent gives the run up when it hears nothing from the coordinator for this long. */
  heartbeatTimeoutMs: number;
  /**
   * A load with an identity of its own (a tenant): its credentials as the profile wrote them, ${ENV}
   * references and file paths only (auth-ref.ts), resolved by the agent from its own environment.
   */
  authRef?: AuthSpec;
  /** The whole run's id: loads side by side (tenants) share their agents under it. */
  group?: string;
}

export interface GoRequest {
  runId: string;
  /** The start instant on the coordinator's clock, decimal ns. */
  startNs: string;
}

/** The heartbeat, and what changes mid-run. */
export interface UpdateRequest {
  runId: string;
  measureEndNs?: number;
  stopPublishers?: boolean;
}

export interface StopReply {
  /** Parts of the encoded ThreadResult[] to fetch with `result`. */
  parts: number;
  /** The agent process's CPU over the measured phase, percent of one core. */
  cpuPercent?: number;
  failure?: string;
}

export interface ResultRequest {
  runId: string;
  part: number;
}

/** Room left in a message for its headers (a quarter of a small max_payload). */
const HEADER_ROOM = 8 * 1024;

export function encodeValue(value: unknown): Uint8Array {
  return gzipSync(serialize(value));
}

export function decodeValue<T>(bytes: Uint8Array): T {
  return deserialize(gunzipSync(bytes)) as T;
}

/** The bytes in parts that fit a message under the server's max_payload (at least one part). */
export function cut(bytes: Uint8Array, maxPayload: number): Uint8Array[] {
  const size = Math.max(1024, maxPayload - Math.min(HEADER_ROOM, Math.floor(maxPayload / 4)));
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || parts.length === 0; at += size)
    parts.push(bytes.subarray(at, at + size));
  return parts;
}

/** The parts of one value, put back together once the last has come. */
export class Assembly {
  private readonly parts: Array<Uint8Array | undefined>;
  private received = 0;

  constructor(readonly count: number) {
    this.parts = new Array(count);
  }

  /** Adds a part; the whole value's bytes when it was the last missing one. */
  add(index: number, bytes: Uint8Array): Uint8Array | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`part ${index} of ${this.count}`);
    if (!this.parts[index]) this.received++;
    this.parts[index] = bytes.slice();
    if (this.received < this.count) return undefined;
    const whole = new Uint8Array(this.parts.reduce((n, p) => n + p!.length, 0));
    let at = 0;
    for (const p of this.parts) {
      whole.set(p!, at);
      at += p!.length;
    }
    return whole;
  }
}

/** `3/5` -> [3, 5]; undefined for anything else. */
export function parseChunk(value: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(value ?? "");
  if (!m) return undefined;
  const [index, count] = [Number(m[1]), Number(m[2])];
  return count > 0 && index < count ? [index, count] : undefined;
}

/** Where rows sit in memory: after `header` values, `stride` values apart. */
export interface RowLayout {
  header: number;
  stride: number;
}

/** The layout of the shared counters (createCounters), on both ends of the wire. */
export const COUNTER_ROWS: RowLayout = { header: HEADER_FIELDS, stride: COUNTER_STRIDE };

/** The first `fields` values of the given slots' counter rows, little-endian, as an agent sends them. */
export function encodeRows(view: Float64Array, slots: number[], fields: number, at: RowLayout): Uint8Array {
  const out = new DataView(new ArrayBuffer(slots.length * fields * 8));
  slots.forEach((slot, i) => {
    for (let f = 0; f < fields; f++)
      out.setFloat64((i * fields + f) * 8, view[at.header + slot * at.stride + f]!, true);
  });
  return new Uint8Array(out.buffer);
}

/** Writes rows sent by encodeRows into the coordinator's counters. */
export function decodeRows(
  bytes: Uint8Array,
  into: Float64Array,
  slots: number[],
  fields: number,
  at: RowLayout,
): void {
  if (bytes.length !== slots.length * fields * 8) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  slots.forEach((slot, i) => {
    for (let f = 0; f < fields; f++)
      into[at.header + slot * at.stride + f] = view.getFloat64((i * fields + f) * 8, true);
  });
}
