/**
 * One result from tenants' runs side by side: each tenant's figures on their own under `tenants`, and at
 * the top level all of them together (counts summed, histograms merged, never percentiles averaged).
 */
import { evaluateThresholds } from "../baseline/thresholds.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { TenantSpec } from "../profile/profile.js";
import { mergeIntervals, mergeLatencyOf, refusalsOf } from "./merge.js";
import type { LatencyKind } from "./protocol.js";
import type { Counts, RunResult, TenantResult, Throughput } from "./result.js";
import type { RunOutcome } from "./run.js";
import { collectWarnings } from "./warnings.js";

/** Thread numbers of tenant i's snapshots are shifted by this much, so runs' threads never collide. */
const THREADS_PER_TENANT = 10_000;

export function sumCounts(all: Counts[]): Counts {
  const sum = (f: (c: Counts) => number) => all.reduce((n, c) => n + f(c), 0);
  const mergeMaps = (f: (c: Counts) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const c of all) for (const [k, v] of Object.entries(f(c))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    published: sum((c) => c.published),
    acked: sum((c) => c.acked),
    consumed: sum((c) => c.consumed),
    publishErrors: mergeMaps((c) => c.publishErrors),
    consumerErrors: mergeMaps((c) => c.consumerErrors),
    redeliveries: sum((c) => c.redeliveries),
    duplicates: sum((c) => c.duplicates),
    gaps: sum((c) => c.gaps),
    lost: sum((c) => c.lost),
    lateSends: sum((c) => c.lateSends),
    lateSendsWindowFull: sum((c) => c.lateSendsWindowFull ?? 0),
    unsent: sum((c) => c.unsent),
    reconnects: sum((c) => c.reconnects),
    permissionViolations: sum((c) => c.permissionViolations ?? 0),
    ...refusalsOf(all.map((c) => c.permissionRefusals)),
  };
}

function sumThroughput(all: Throughput[]): Throughput {
  const sum = (f: (t: Throughput) => number) => Math.round(all.reduce((n, t) => n + f(t), 0) * 10) / 10;
  return {
    publishedPerSec: sum((t) => t.publishedPerSec),
    consumedPerSec: sum((t) => t.consumedPerSec),
    publishedBytesPerSec: sum((t) => t.publishedBytesPerSec),
    consumedBytesPerSec: sum((t) => t.consumedBytesPerSec),
  };
}

/** A result's histograms by kind, those with samples. */
function histogramsOf(r: RunResult): Partial<Record<LatencyKind, string>> {
  return Object.fromEntries(
    Object.entries(r.latency).flatMap(([kind, block]) => (block?.count ? [[kind, block.hdr]] : [])),
  );
}

export function combineTenants(
  loaded: LoadedProfile,
  tenants: TenantSpec[],
  outcomes: RunOutcome[],
): RunResult {
  const results = outcomes.map((o) => o.result);
  const first = results[0]!;
  const snapshots = outcomes.flatMap((o, i) =>
    o.snapshots.map((s) => ({ ...s, thread: s.thread + i * THREADS_PER_TENANT })),
  );
  const incomplete = results.find((r) => !r.complete);
  const combined: RunResult = {
    ...first,
    complete: incomplete === undefined,
    ...(incomplete && { abortReason: incomplete.abortReason }),
    profile: loaded.stored,
    startedAt: results.map((r) => r.startedAt).sort()[0]!,
    durationS: Math.max(...results.map((r) => r.durationS)),
    measuredS: Math.min(...results.map((r) => r.measuredS)),
    throughput: sumThroughput(results.map((r) => r.throughput)),
    counts: sumCounts(results.map((r) => r.counts)),
    latency: mergeLatencyOf(results.map(histogramsOf)),
    intervals: mergeIntervals(
      snapshots,
      outcomes[0]!.warmupNs,
      Math.min(...outcomes.map((o) => o.measureEndNs)),
    ),
    thresholds: [],
    warnings: [],
    tenants: Object.fromEntries(
      tenants.map((t, i): [string, TenantResult] => {
        const r = results[i]!;
        return [
          t.name,
          {
            complete: r.complete,
            ...(r.abortReason !== undefined && { abortReason: r.abortReason }),
            measuredS: r.measuredS,
            throughput: r.throughput,
            counts: r.counts,
            latency: r.latency,
            warnings: r.warnings,
          },
        ];
      }),
    ),
  };
  if (!combined.abortReason) delete combined.abortReason;
  combined.thresholds = evaluateThresholds(combined, loaded.profile.thresholds);
  combined.warnings = collectWarnings(combined, loaded.profile);
  return combined;
}
