/**
 * One result from tenants' loads side by side: each tenant's figures on their own under `tenants`, and
 * at the top level all of them together through the same reducers as threads and agents (counts and
 * throughput summed field by field, histograms merged, never percentiles averaged). The fault figures
 * at the top level are reduced from every tenant's threads, as one load's are from its own.
 */
import { evaluateThresholds } from "../baseline/thresholds.js";
import type { LatencyKind } from "../contract/latency.js";
import { type TenantSpec, wholeLoad } from "../contract/profile.js";
import type { RunResult, TenantResult } from "../contract/result.js";
import { faultOutcome } from "../faults/outcome.js";
import type { FaultRecord } from "../faults/timeline.js";
import type { LoadedProfile } from "../profile/loader.js";
import { ANOTHER_LOAD_FAILED, type CoordinateOutcome } from "./coordinator.js";
import type { RunOutcome } from "./load-run.js";
import { mergeIntervals, mergeLatencyOf } from "./merge.js";
import { mergeDrains, mergeEndpoints, mergeEnv, mergeServer, sumCounts, sumThroughput } from "./reduce.js";
import { collectWarnings } from "./warnings.js";

/** Thread numbers of tenant i's snapshots are shifted by this much, so loads' threads never collide. */
const THREADS_PER_TENANT = 10_000;

/** A result's histograms by kind, those with samples. */
function histogramsOf(r: RunResult): Partial<Record<LatencyKind, string>> {
  return Object.fromEntries(
    Object.entries(r.latency).flatMap(([kind, block]) => (block?.count ? [[kind, block.hdr]] : [])),
  );
}

/** Every tenant's threads and snapshots as one coordinator outcome: what the fault figures reduce. */
function allThreads(outcomes: RunOutcome[]): CoordinateOutcome {
  const shift = <T extends { thread: number }>(t: T, i: number): T => ({
    ...t,
    thread: t.thread + i * THREADS_PER_TENANT,
  });
  const parts = outcomes.map((o) => o.coordinated);
  return {
    threads: parts.flatMap((p, i) => p.threads.map((t) => shift(t, i))),
    intervals: parts.flatMap((p, i) => p.intervals.map((s) => shift(s, i))),
    measureEndNs: Math.min(...parts.map((p) => p.measureEndNs)),
    elapsedNs: Math.max(...parts.map((p) => p.elapsedNs)),
  };
}

export function combineTenants(
  loaded: LoadedProfile,
  tenants: TenantSpec[],
  outcomes: RunOutcome[],
  records?: FaultRecord[],
): RunResult {
  const results = outcomes.map((o) => o.result);
  const first = results[0]!;
  const combinedOutcome = allThreads(outcomes);
  // The reason of the load that failed, not of those the start gate then let go.
  const incomplete =
    results.find((r) => !r.complete && r.abortReason !== ANOTHER_LOAD_FAILED) ??
    results.find((r) => !r.complete);
  const faults =
    records &&
    faultOutcome({
      records,
      outcome: combinedOutcome,
      profile: { ...loaded.profile, ...wholeLoad(loaded.profile) },
      warmupNs: outcomes[0]!.warmupNs,
    });
  const lostAcked = results.some((r) => r.counts.lostAcked !== undefined)
    ? results.reduce((n, r) => n + (r.counts.lostAcked ?? 0), 0)
    : undefined;
  const drain = mergeDrains(results.map((r) => r.drain));
  const endpoints = mergeEndpoints(results.map((r) => r.endpoints));
  const server = mergeServer(results.map((r) => r.server));
  const unmeasured = [...new Set(results.flatMap((r) => r.e2eUnmeasured ?? []))];
  const cpu = results.map((r) => r.generator?.cpuPercent).filter((n): n is number => n !== undefined);
  const combined: RunResult = {
    ...first,
    complete: incomplete === undefined,
    ...(incomplete && { abortReason: incomplete.abortReason }),
    profile: loaded.stored,
    env: mergeEnv(results.map((r) => r.env)),
    startedAt: results.map((r) => r.startedAt).sort()[0]!,
    durationS: Math.max(...results.map((r) => r.durationS)),
    measuredS: Math.min(...results.map((r) => r.measuredS)),
    throughput: sumThroughput(results.map((r) => r.throughput)),
    // One process runs every local load, and each measured that process: the figure is the largest.
    ...(cpu.length > 0 && { generator: { cpuPercent: Math.max(...cpu) } }),
    counts: { ...sumCounts(results.map((r) => r.counts)), ...(lostAcked !== undefined && { lostAcked }) },
    latency: mergeLatencyOf(results.map(histogramsOf)),
    intervals: mergeIntervals(combinedOutcome.intervals, outcomes[0]!.warmupNs, combinedOutcome.measureEndNs),
    ...(faults && { faults: faults.faults }),
    ...(drain && { drain }),
    ...(endpoints && { endpoints }),
    ...(server && { server }),
    ...(unmeasured.length > 0 && { e2eUnmeasured: unmeasured }),
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
            ...(r.faults && { faults: r.faults }),
            ...(r.readBack && { readBack: r.readBack }),
            warnings: r.warnings,
          },
        ];
      }),
    ),
  };
  if (!combined.abortReason) delete combined.abortReason;
  // Each tenant's stream is read back on its own: under tenants.<name>.readBack, summed in lostAcked.
  delete combined.readBack;
  combined.thresholds = evaluateThresholds(combined, loaded.profile.thresholds);
  combined.warnings = collectWarnings(combined, loaded.profile);
  return combined;
}
