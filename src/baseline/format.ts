/**
 * The baseline file (schema "benchline/baseline@1"): K runs of one profile, each as its run summary with
 * encoded histograms, plus the stored profile, its hash and the environment.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { RunEnv } from "../contract/env.js";
import type { Profile } from "../contract/profile.js";
import type { RunResult } from "../contract/result.js";

export const BASELINE_SCHEMA = "benchline/baseline@1";

/** What a baseline keeps of each run: enough to compare, merge and re-read, not the per-second series. */
export type RunSummary = Pick<
  RunResult,
  "startedAt" | "complete" | "durationS" | "measuredS" | "throughput" | "counts" | "latency" | "warnings"
> &
  Partial<Pick<RunResult, "faults" | "generator">>;

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  benchline: string;
  createdAt: string;
  profile: Profile;
  profileHash: string;
  env: RunEnv;
  runs: RunSummary[];
}

export function summarizeRun(r: RunResult): RunSummary {
  return {
    startedAt: r.startedAt,
    complete: r.complete,
    durationS: r.durationS,
    measuredS: r.measuredS,
    throughput: r.throughput,
    counts: r.counts,
    latency: r.latency,
    warnings: r.warnings,
    // What the generator's own work cost: the machine control a compare reads (machine-control.ts).
    ...(r.generator && { generator: r.generator }),
    // A fault run's recovery figures are metrics like any other; its window histograms stay in the result.
    ...(r.faults && {
      faults: r.faults.map(({ latency: _latency, ...figures }) => ({ ...figures, latency: {} })),
    }),
  };
}

/**
 * Like with like: a hash of what shapes the load. Where it runs (servers), who it runs as and how it
 * connects (auth, tls, connection), what it is called and how it is described do not change what is
 * measured, so they are left out; so is the thread count, which says how the generator runs the load
 * (env.workerThreads records it) and is sized from the load unless set.
 */
export function profileHash(profile: Profile): string {
  const {
    servers: _s,
    // How clients reach the servers, as the servers themselves: where the load runs, not what it is.
    transport: _tr,
    auth: _a,
    tls: _tls,
    connection: _c,
    name: _n,
    description: _d,
    thresholds: _t,
    workers: _w,
    ...load
  } = profile;
  return createHash("sha256").update(canonicalJson(load)).digest("hex").slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const latencyBlock = z.looseObject({
  count: z.number(),
  p50Us: z.number(),
  p95Us: z.number(),
  p99Us: z.number(),
  hdr: z.string(),
});

/** Validates the parts benchline reads; other fields pass through. */
export const baselineSchema = z.looseObject({
  schema: z.literal(BASELINE_SCHEMA),
  benchline: z.string(),
  createdAt: z.string(),
  profile: z.looseObject({ name: z.string(), publishers: z.array(z.unknown()) }),
  profileHash: z.string(),
  env: z.looseObject({ cpus: z.number(), clusterSize: z.number() }),
  runs: z.array(
    z.looseObject({
      throughput: z.looseObject({ publishedPerSec: z.number(), consumedPerSec: z.number() }),
      counts: z.looseObject({ published: z.number(), acked: z.number(), lost: z.number() }),
      latency: z.record(z.string(), latencyBlock),
    }),
  ),
});
