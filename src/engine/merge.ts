/**
 * Merges what the worker threads returned: histograms added (percentiles only ever come from a merged
 * histogram), counts summed, intervals merged by index across threads, loss computed per consumer group.
 */

import type { LatencyKind } from "../contract/latency.js";
import { LATENCY_KINDS } from "../contract/latency.js";
import type { PermissionRefusal } from "../contract/permissions.js";
import type { PublisherMode } from "../contract/profile.js";
import type { Counts, IntendedSecond, IntervalPoint, RunResult, Throughput } from "../contract/result.js";
import { cumulativeCounts, LATENCY_BUCKETS_S, mergeEncoded, summarize } from "../metrics/histogram.js";
import { publisherSubject } from "../profile/subjects.js";
import { isOpErrorKind } from "./merge-ops.js";
import { mergeRefusals } from "./permissions.js";
import type { Plan } from "./plan.js";
import type { ClientResult, IntendedPart, IntervalSnapshot, ThreadResult } from "./protocol.js";

/** Error kinds a consumer counts under fixed names; `pull<status>` (a refused pull request) is one too. */
export const CONSUMER_ERROR_KINDS = ["foreignMessage", "ackFailed"] as const;

/** Publish error kinds under fixed names; `api:<err_code>` and `publishFailed:<name>` carry what failed. */
export const PUBLISH_ERROR_KINDS = ["timeout", "noResponders", "badPubAck", "requestFailed"] as const;

/** Whether a consumer counted this kind; every other kind is a failed publish. */
export function isConsumerErrorKind(kind: string): boolean {
  return (CONSUMER_ERROR_KINDS as readonly string[]).includes(kind) || /^pull\d+$/.test(kind);
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let b = i; b; b >>= 1) n += b & 1;
  return n;
});

function popcount(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n += POPCOUNT[bytes[i]!]!;
  return n;
}

function orInto(target: Uint8Array, source: Uint8Array): Uint8Array {
  const out =
    target.length >= source.length
      ? target
      : (() => {
          const grown = new Uint8Array(source.length);
          grown.set(target);
          return grown;
        })();
  for (let i = 0; i < source.length; i++) out[i]! |= source[i]!;
  return out;
}

/** |expected \ got|: acknowledged messages no consumer of the group received. */
function missing(expected: Uint8Array, got: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < expected.length; i++) n += POPCOUNT[expected[i]! & ~(got[i] ?? 0) & 0xff]!;
  return n;
}

export function mergeLatency(threads: ThreadResult[]): RunResult["latency"] {
  return mergeLatencyOf(threads.map((t) => t.histograms));
}

/** Per latency kind, the histograms of every part (thread, tenant) added into one and summarized. */
export function mergeLatencyOf(parts: Array<Partial<Record<LatencyKind, string>>>): RunResult["latency"] {
  const latency: RunResult["latency"] = {};
  for (const kind of LATENCY_KINDS) {
    const encoded = parts.flatMap((p) => (p[kind] ? [p[kind]!] : []));
    if (encoded.length === 0) continue;
    const h = mergeEncoded(encoded);
    latency[kind] = summarize(h);
    h.destroy();
  }
  return latency;
}

export function mergeCounts(plan: Plan, threads: ThreadResult[]): Counts {
  const clients = threads.flatMap((t) => t.clients);
  const publishers = new Map<number, ClientResult>();
  const consumers = new Map<number, ClientResult>();
  for (const c of clients) {
    if (c.role === "publisher") publishers.set(c.id, c);
    else if (c.role === "consumer") consumers.set(c.id, c);
  }
  const sum = (list: Iterable<ClientResult>, f: (c: ClientResult) => number) => {
    let n = 0;
    for (const c of list) n += f(c);
    return n;
  };
  let consumed = 0;
  let lost = 0;
  let crossDuplicates = 0;
  for (const group of plan.groups) {
    const members = group.consumerIds.flatMap((id) => (consumers.has(id) ? [consumers.get(id)!] : []));
    // Consume only: no publisher to account against; every delivery counts once.
    if (group.publisherIds.length === 0) consumed += members.reduce((n, m) => n + m.consumed, 0);
    for (const pubId of group.publisherIds) {
      let union: Uint8Array = new Uint8Array(0);
      let memberDistinct = 0;
      for (const m of members) {
        const bits = m.seen?.[pubId];
        if (!bits) continue;
        memberDistinct += popcount(bits);
        union = orInto(union, bits);
      }
      const distinct = popcount(union);
      consumed += distinct;
      crossDuplicates += memberDistinct - distinct;
      const expected = publishers.get(pubId)?.acknowledged;
      if (expected) lost += missing(expected, union);
    }
  }
  const publishErrors: Record<string, number> = {};
  const consumerErrors: Record<string, number> = {};
  for (const t of threads) {
    for (const [kind, n] of Object.entries(t.errors)) {
      // Operation clients' errors are counted apart (counts.opErrors, merge-ops.ts).
      if (isOpErrorKind(kind)) continue;
      const into = isConsumerErrorKind(kind) ? consumerErrors : publishErrors;
      into[kind] = (into[kind] ?? 0) + n;
    }
  }
  const refusals = refusalsOf(threads.map((t) => t.permissionRefusals));
  // A JetStream publish or a request the server refused never gets its answer and times out: it is a
  // refusal (counted under permissionRefusals), not a timeout as well.
  const refused = refusedSendsByMode(plan, refusals.permissionRefusals);
  const refusedAnswered = refused.jetstream + refused.request;
  if (refusedAnswered > 0 && publishErrors.timeout !== undefined) {
    publishErrors.timeout -= Math.min(publishErrors.timeout, refusedAnswered);
    if (publishErrors.timeout === 0) delete publishErrors.timeout;
  }
  return {
    published: sum(publishers.values(), (c) => c.sent),
    acked: sum(publishers.values(), (c) => c.acked),
    consumed,
    publishErrors,
    consumerErrors,
    redeliveries: sum(consumers.values(), (c) => c.redeliveries),
    duplicates: sum(consumers.values(), (c) => c.duplicates) + crossDuplicates,
    gaps: sum(consumers.values(), (c) => c.gaps),
    // A core publish the server refused was never delivered: refused, not lost (one vocabulary for loss).
    lost: Math.max(0, lost - refused.core),
    lateSends: sum(publishers.values(), (c) => c.lateSends),
    lateSendsWindowFull: sum(publishers.values(), (c) => c.lateSendsWindowFull ?? 0),
    unsent: sum(publishers.values(), (c) => c.unsent),
    reconnects: threads.reduce((n, t) => n + t.reconnects, 0),
    permissionViolations: threads.reduce((n, t) => n + (t.permissionViolations ?? 0), 0),
    ...refusals,
  };
}

/** Refused publishes on the subjects of each mode's publishers, in one pass over the plan. */
function refusedSendsByMode(
  plan: Plan,
  refusals: PermissionRefusal[] | undefined,
): Record<PublisherMode, number> {
  const out: Record<PublisherMode, number> = { core: 0, jetstream: 0, request: 0 };
  if (!refusals) return out;
  const modeOf = new Map<string, PublisherMode>();
  for (const c of plan.clients)
    if (c.role === "publisher")
      for (let i = 0; i < c.spec.spread; i++)
        modeOf.set(publisherSubject(c.spec.subject, c.spec.spread, i), c.spec.mode);
  for (const r of refusals) {
    const mode = r.operation === "publish" ? modeOf.get(r.subject) : undefined;
    if (mode) out[mode] += r.count;
  }
  return out;
}

/** `permissionRefusals` when any part was refused anything; nothing otherwise. */
export function refusalsOf(parts: Array<PermissionRefusal[] | undefined>): {
  permissionRefusals?: PermissionRefusal[];
} {
  const merged = mergeRefusals(parts);
  return merged.length > 0 ? { permissionRefusals: merged } : {};
}

export function mergeThroughput(threads: ThreadResult[], measuredS: number): Throughput {
  const clients = threads.flatMap((t) => t.clients);
  const total = (f: (c: ClientResult) => number, role: ClientResult["role"]) =>
    clients.filter((c) => c.role === role).reduce((n, c) => n + f(c), 0);
  const per = (n: number) => (measuredS > 0 ? Math.round((n / measuredS) * 10) / 10 : 0);
  return {
    publishedPerSec: per(total((c) => c.measuredSent, "publisher")),
    consumedPerSec: per(total((c) => c.measuredConsumed, "consumer")),
    publishedBytesPerSec: per(total((c) => c.measuredSentBytes, "publisher")),
    consumedBytesPerSec: per(total((c) => c.measuredConsumedBytes, "consumer")),
  };
}

const BUCKET_BOUNDS_US = LATENCY_BUCKETS_S.map((s) => s * 1e6);

/** This second's failed publishes by kind, from every thread's error kinds. */
function publishErrorsOf(snaps: IntervalSnapshot[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of snaps)
    for (const [kind, n] of Object.entries(s.errorKinds ?? {}))
      if (n > 0 && !isConsumerErrorKind(kind) && !isOpErrorKind(kind)) out[kind] = (out[kind] ?? 0) + n;
  return out;
}

/**
 * One point per second; snapshots are keyed by (thread, index), never summed in arrival order. Each
 * point keeps its `le` counts at LATENCY_BUCKETS_S, so the run can be replayed through alert rules.
 */
export function mergeIntervals(
  snapshots: IntervalSnapshot[],
  warmupNs: number,
  measureEndNs: number,
): IntervalPoint[] {
  const byIndex = new Map<number, Map<number, IntervalSnapshot>>();
  for (const s of snapshots) {
    let threads = byIndex.get(s.index);
    if (!threads) {
      threads = new Map();
      byIndex.set(s.index, threads);
    }
    threads.set(s.thread, s);
  }
  const partsByIndex = intendedPartsByIndex(snapshots);
  const points: IntervalPoint[] = [];
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const snaps = [...byIndex.get(index)!.values()];
    const startNs = index * 1e9;
    const point: IntervalPoint = {
      t: index + 1,
      phase: startNs < warmupNs ? "warmup" : startNs < measureEndNs ? "measure" : "drain",
      published: snaps.reduce((n, s) => n + s.published, 0),
      acked: snaps.reduce((n, s) => n + s.acked, 0),
      consumed: snaps.reduce((n, s) => n + s.consumed, 0),
      errors: snaps.reduce((n, s) => n + s.errors, 0),
      publishErrors: publishErrorsOf(snaps),
    };
    for (const kind of LATENCY_KINDS as readonly LatencyKind[]) {
      const encoded = snaps.flatMap((s) => (s.histograms[kind] ? [s.histograms[kind]!] : []));
      if (encoded.length === 0) continue;
      const h = mergeEncoded(encoded);
      point[`${kind}P50Us`] = h.getValueAtPercentile(50);
      point[`${kind}P99Us`] = h.getValueAtPercentile(99);
      point[`${kind}MaxUs`] = h.maxValue;
      point.le ??= {};
      point.le[kind] = [...cumulativeCounts(h, BUCKET_BOUNDS_US), h.totalCount];
      h.destroy();
    }
    const intended = intendedSeconds(partsByIndex.get(index));
    if (intended) point.byIntended = intended;
    points.push(point);
  }
  return points;
}

/** Every thread's parts of each second of intended send time, by second (IntendedPart). */
function intendedPartsByIndex(snapshots: IntervalSnapshot[]): Map<number, IntendedPart[]> {
  const out = new Map<number, IntendedPart[]>();
  for (const s of snapshots)
    for (const part of s.intended ?? []) out.set(part.index, [...(out.get(part.index) ?? []), part]);
  return out;
}

/** One second of intended send time: its parts added, per kind, successes and failures apart. */
function intendedSeconds(parts: IntendedPart[] | undefined): IntervalPoint["byIntended"] {
  if (!parts?.length) return undefined;
  const out: NonNullable<IntervalPoint["byIntended"]> = {};
  for (const kind of new Set(parts.map((p) => p.kind))) {
    const of = (failed: boolean) =>
      parts.filter((p) => p.kind === kind && (p.failed ?? false) === failed).map((p) => p.hdr);
    const ok = mergeEncoded(of(false));
    const failed = mergeEncoded(of(true));
    const second: IntendedSecond = { succeeded: ok.totalCount, failed: failed.totalCount };
    if (ok.totalCount > 0) {
      second.p50Us = ok.getValueAtPercentile(50);
      second.p99Us = ok.getValueAtPercentile(99);
      second.maxUs = ok.maxValue;
    }
    if (failed.totalCount > 0) {
      second.failedP99Us = failed.getValueAtPercentile(99);
      second.failedMaxUs = failed.maxValue;
    }
    ok.destroy();
    failed.destroy();
    out[kind] = second;
  }
  return out;
}
