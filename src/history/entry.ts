/**
 * A history entry: one invocation that ran (a run, a baseline's K runs, a compare's candidates, one side
 * of an ab), with what it ran, where, from which commit, its per-run metric values and its encoded
 * histograms, so a later query can merge distributions and not only read numbers.
 */
import { createHash } from "node:crypto";
import { profileHash, type RunSummary } from "../baseline/format.js";
import { defaultCompareMetrics, metricInfo, metricValue } from "../baseline/metrics.js";
import type { RunEnv } from "../contract/env.js";
import type { Profile } from "../contract/profile.js";
import { benchlineVersion } from "../version.js";
import type { GitInfo } from "./git.js";

export const HISTORY_ENTRY_SCHEMA = "benchline/history-entry@1";

/** What shapes the numbers besides the code: a change here is labelled, never called a regression. */
export interface EnvFingerprint {
  cpus: number;
  clusterSize: number;
  /** sha256 (first 16 hex) of the server config's bytes; absent when the server ran from flags. */
  serverConfigHash?: string;
  agents: number;
  transport: string;
  /** A short hash of the fields above. */
  hash: string;
}

/** One run inside an entry: its metric values and its histograms (compressed base64, per latency kind). */
export interface HistoryRun {
  startedAt: string;
  metrics: Record<string, number>;
  hdr: Record<string, string>;
}

export interface HistoryEntry {
  schema: typeof HISTORY_ENTRY_SCHEMA;
  /** Stable for the same runs: importing a file twice stores it once. */
  id: string;
  /** When the first run started (ISO-8601); the series are ordered by it. */
  time: string;
  recordedAt: string;
  /** run, baseline, compare, ab:A, ab:B, import */
  source: string;
  profile: string;
  profileHash: string;
  /** The metrics a compare of this profile judges by default: the ones `history check` gates on. */
  gating: string[];
  gitSha?: string;
  gitBranch?: string;
  benchline: string;
  serverVersion?: string;
  fingerprint: EnvFingerprint;
  runs: HistoryRun[];
}

const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

export function envFingerprint(env: RunEnv): EnvFingerprint {
  const fields = {
    cpus: env.cpus,
    clusterSize: env.clusterSize,
    ...(env.serverConfig && {
      serverConfigHash: short(
        [env.serverConfig.sha256, ...(env.serverConfig.includes ?? []).map((i) => i.sha256)].join(","),
      ),
    }),
    agents: env.agents?.length ?? 0,
    transport: env.transport ?? "tcp",
  };
  return { ...fields, hash: short(JSON.stringify(fields)).slice(0, 8) };
}

/** Every metric the run holds a finite value for, among those a compare can name. */
function runMetrics(run: RunSummary, names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const v = metricValue(run, name);
    if (v !== undefined && Number.isFinite(v)) out[name] = v;
  }
  return out;
}

/** The metric names worth keeping for a profile: the default compare set plus every latency stat. */
function keptMetrics(profile: Profile, runs: RunSummary[]): string[] {
  const names = new Set(defaultCompareMetrics(profile));
  // Kept though it no longer gates, so `history check --metric rates.lateSends` has its series.
  names.add("rates.lateSends");
  for (const r of runs)
    for (const kind of Object.keys(r.latency))
      for (const stat of ["p50", "p90", "p99", "p999", "max", "mean"]) names.add(`${kind}.${stat}`);
  for (const f of ["publishedPerSec", "consumedPerSec", "opsPerSec"]) names.add(`throughput.${f}`);
  return [...names].filter((n) => metricInfo(n));
}

/** Builds the entry for runs of one profile made in one environment. */
export function buildEntry(input: {
  source: string;
  profile: Profile;
  env: RunEnv;
  runs: RunSummary[];
  git: GitInfo;
  now?: Date;
}): HistoryEntry {
  const { profile, env, runs } = input;
  const hash = profileHash(profile);
  const names = keptMetrics(profile, runs);
  const time = runs.map((r) => r.startedAt).sort()[0] ?? (input.now ?? new Date()).toISOString();
  return {
    schema: HISTORY_ENTRY_SCHEMA,
    // The same runs recorded live and imported later are one entry; ab's two sides never start together.
    id: short(`${hash}|${env.host}|${runs.map((r) => r.startedAt).join(",")}`),
    time,
    recordedAt: (input.now ?? new Date()).toISOString(),
    source: input.source,
    profile: profile.name,
    profileHash: hash,
    gating: defaultCompareMetrics(profile),
    ...(input.git.sha && { gitSha: input.git.sha }),
    ...(input.git.branch && { gitBranch: input.git.branch }),
    benchline: env.benchline ?? benchlineVersion,
    ...(env.serverVersion && { serverVersion: env.serverVersion }),
    fingerprint: envFingerprint(env),
    runs: runs.map((r) => ({
      startedAt: r.startedAt,
      metrics: runMetrics(r, names),
      hdr: Object.fromEntries(Object.entries(r.latency).map(([k, b]) => [k, b!.hdr])),
    })),
  };
}

/** The entry without its histograms: what a series needs, small enough for an index line. */
export type EntrySummary = Omit<HistoryEntry, "runs"> & { runs: Array<Omit<HistoryRun, "hdr">> };

export function summarizeEntry(e: HistoryEntry): EntrySummary {
  return { ...e, runs: e.runs.map(({ hdr: _hdr, ...rest }) => rest) };
}
