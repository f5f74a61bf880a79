/**
 * The figures of the workloads beyond streams, merged from what threads returned: operation counts and
 * byte rates, the drain of a consume-only run, per-endpoint figures of a driven micro service, and the
 * publishers whose e2e latency cannot be measured.
 */
import { OP_LATENCY_KINDS } from "../contract/latency.js";
import type { Profile } from "../contract/profile.js";
import type { Counts, DrainFigures, EndpointFigures, Throughput } from "../contract/result.js";
import { mergeEncoded, summarize } from "../metrics/histogram.js";
import type { Plan } from "./plan.js";
import type { ClientResult, ThreadResult } from "./protocol.js";

/** Error kinds of operation clients: `<op latency kind>:<why>`. */
export function isOpErrorKind(kind: string): boolean {
  const op = kind.slice(0, kind.indexOf(":"));
  return (OP_LATENCY_KINDS as readonly string[]).includes(op);
}

const per = (n: number, s: number) => (s > 0 ? Math.round((n / s) * 10) / 10 : 0);

/** Counts and throughput of the operation clients; empty when the profile has none. */
export function mergeOps(
  profile: Profile,
  threads: ThreadResult[],
  measuredS: number,
): { counts: Partial<Counts>; throughput: Partial<Throughput> } {
  if (!profile.kv && !profile.objects && !profile.direct) return { counts: {}, throughput: {} };
  const clients = threads.flatMap((t) => t.clients).filter((c) => c.role === "op" || c.role === "watcher");
  const sum = (f: (c: ClientResult) => number) => clients.reduce((n, c) => n + f(c), 0);
  const opErrors: Record<string, number> = {};
  for (const t of threads)
    for (const [kind, n] of Object.entries(t.errors))
      if (isOpErrorKind(kind)) opErrors[kind] = (opErrors[kind] ?? 0) + n;
  return {
    counts: {
      ops: sum((c) => (c.role === "op" ? c.sent : 0)),
      opErrors,
      kvMisses: sum((c) => c.ops?.misses ?? 0),
      kvConflicts: sum((c) => c.ops?.conflicts ?? 0),
      objChecksumFailures: sum((c) => c.ops?.checksumFailures ?? 0),
      watchUpdates: sum((c) => c.ops?.watched ?? 0),
      // Added to the publishers' own by the caller: a late operation is a late send.
      lateSends: sum((c) => c.lateSends),
      unsent: sum((c) => c.unsent),
    },
    throughput: {
      opsPerSec: per(
        sum((c) => (c.role === "op" ? c.measuredAcked : 0)),
        measuredS,
      ),
      readBytesPerSec: per(
        sum((c) => c.ops?.measuredReadBytes ?? 0),
        measuredS,
      ),
      writtenBytesPerSec: per(
        sum((c) => c.ops?.measuredWrittenBytes ?? 0),
        measuredS,
      ),
    },
  };
}

/** A consume-only run's drain: the backlogs the groups had, what they took, and how long it took. */
export function mergeDrain(plan: Plan, threads: ThreadResult[], elapsedNs: number): DrainFigures | undefined {
  const groups = plan.groups.filter((g) => g.backlog !== undefined);
  if (groups.length === 0 || plan.publisherCount > 0) return undefined;
  const consumers = new Map(
    threads.flatMap((t) => t.clients).flatMap((c) => (c.role === "consumer" ? [[c.id, c]] : [])),
  );
  let backlog = 0;
  let consumed = 0;
  let lastNs = 0;
  let drained = true;
  for (const g of groups) {
    const members = g.consumerIds.flatMap((id) => (consumers.has(id) ? [consumers.get(id)!] : []));
    const got = members.reduce((n, c) => n + c.consumed, 0);
    backlog += g.backlog!;
    consumed += Math.min(got, g.backlog!);
    if (got < g.backlog!) drained = false;
    for (const c of members) lastNs = Math.max(lastNs, c.lastConsumedNs ?? 0);
  }
  const drainNs = drained ? lastNs : elapsedNs;
  const drainS = Math.round(drainNs / 1e6) / 1000;
  return {
    backlogMsgs: backlog,
    consumedMsgs: consumed,
    drained,
    drainS,
    drainedPerSec: per(consumed, drainNs / 1e9),
  };
}

/** Each driven service endpoint: its publishers' requests, replies and errors, its merged histogram. */
export function mergeEndpoints(
  plan: Plan,
  threads: ThreadResult[],
): Record<string, EndpointFigures> | undefined {
  const specOf = new Map(plan.clients.flatMap((c) => (c.role === "publisher" ? [[c.id, c.spec]] : [])));
  const out: Record<string, EndpointFigures> = {};
  for (const c of threads.flatMap((t) => t.clients)) {
    const spec = c.role === "publisher" ? specOf.get(c.id) : undefined;
    if (!spec?.service) continue;
    out[spec.name] ??= { requests: 0, replies: 0, errors: {} };
    const e = out[spec.name]!;
    e.requests += c.sent;
    e.replies += c.acked;
    for (const [k, n] of Object.entries(c.errorKinds ?? {})) e.errors[k] = (e.errors[k] ?? 0) + n;
  }
  for (const [name, e] of Object.entries(out)) {
    const encoded = threads.flatMap((t) => (t.named?.[name] ? [t.named[name]] : []));
    if (encoded.length === 0) continue;
    const h = mergeEncoded(encoded);
    e.latency = summarize(h);
    h.destroy();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Publishers whose messages carry no timing benchline can read, and why. */
export function e2eUnmeasured(profile: Profile): string[] | undefined {
  const notes = profile.publishers.flatMap((p) =>
    p.timing === "off"
      ? [
          `${p.name}: timing off, so its messages carry no send time or identity: no e2e latency, loss or duplicates`,
        ]
      : [],
  );
  return notes.length > 0 ? notes : undefined;
}

/** How long each operation client may wait for its last operations: the coordinator's grace. */
export function opTimeoutsMs(profile: Profile): number[] {
  return [profile.kv?.clients, profile.objects?.clients, profile.direct?.clients].flatMap((list) =>
    (list ?? []).map((c) => c.timeoutMs),
  );
}
