/**
 * `history check` and `history show`, the pure part: per metric, the series of an entry's median over
 * its runs, the change points E-divisive finds in it, the regimes they bound, and the verdict on the
 * newest regime against the one before it. A change point where the environment fingerprint (or the
 * profile) changed is labelled an environment change, never a regression.
 */
import { verdictOf } from "../baseline/compare.js";
import { type Direction, metricInfo } from "../baseline/metrics.js";
import { bootstrapMedianChange, median, relativeChange } from "../baseline/stats.js";
import { type ChangePoint, type EDivisiveOptions, eDivisive } from "./edivisive.js";
import type { EntrySummary } from "./entry.js";

/** One point of a series: an entry's median, and who made it. */
export interface SeriesPoint {
  entryId: string;
  time: string;
  gitSha?: string;
  gitBranch?: string;
  serverVersion?: string;
  fingerprint: string;
  value: number;
}

/** A change point with the regimes on either side of it. */
export interface RegimeChange {
  index: number;
  time: string;
  gitSha?: string;
  serverVersion?: string;
  pValue: number;
  beforeMedian: number;
  afterMedian: number;
  change: number;
  /** What changed in the environment or profile at this point, when anything did. */
  environmentChange?: string;
}

export type CheckVerdict =
  | "regressed"
  | "improved"
  | "within noise"
  | "no change"
  | "environment change"
  | "insufficient data";

export interface MetricHistory {
  metric: string;
  direction: Direction;
  unit: string;
  /** The noise threshold (fraction) the verdict used. */
  noise: number;
  points: SeriesPoint[];
  changes: RegimeChange[];
  /** Median of each regime, from its first index. */
  regimes: Array<{ from: number; to: number; median: number }>;
  verdict: CheckVerdict;
  /** The newest regime against the one before it, when there is a change point. */
  newest?: { change: number; interval: { low: number; high: number }; before: number[]; after: number[] };
}

export interface CheckOptions extends EDivisiveOptions {
  noiseFor: (metric: string) => number;
}

/** The series of one metric: entries that hold it, in time order. */
export function seriesOf(entries: EntrySummary[], metric: string): SeriesPoint[] {
  return entries.flatMap((e) => {
    const values = e.runs.map((r) => r.metrics[metric]).filter((v): v is number => Number.isFinite(v));
    if (values.length === 0) return [];
    return [
      {
        entryId: e.id,
        time: e.time,
        gitSha: e.gitSha,
        gitBranch: e.gitBranch,
        serverVersion: e.serverVersion,
        fingerprint: `${e.fingerprint.hash}/${e.profileHash}`,
        value: median(values),
      },
    ];
  });
}

/** What differs between two entries' environments or profiles, in words; undefined when nothing does. */
export function environmentDiff(a: EntrySummary, b: EntrySummary): string | undefined {
  const parts: string[] = [];
  const fa = a.fingerprint;
  const fb = b.fingerprint;
  const fields = ["cpus", "clusterSize", "serverConfigHash", "agents", "transport"] as const;
  for (const f of fields)
    if (fa[f] !== fb[f]) parts.push(`${f} ${String(fa[f] ?? "none")} -> ${String(fb[f] ?? "none")}`);
  if (a.profileHash !== b.profileHash) parts.push(`profile ${a.profileHash} -> ${b.profileHash}`);
  return parts.length ? parts.join(", ") : undefined;
}

/**
 * Drops change points whose regimes differ by less than the noise threshold, smallest first, as Hunter
 * and Otava do: each split is tested at 5%, so a long series collects a few spurious ones, and a spurious
 * split inside the newest regime would otherwise hide a real step before it.
 */
export function mergeWithinNoise(values: number[], found: ChangePoint[], noise: number): ChangePoint[] {
  const kept = [...found].sort((a, b) => a.index - b.index);
  for (;;) {
    const cuts = [0, ...kept.map((c) => c.index), values.length];
    const medians = cuts.slice(0, -1).map((from, i) => median(values.slice(from, cuts[i + 1])));
    let smallest = -1;
    let size = Number.POSITIVE_INFINITY;
    kept.forEach((_, i) => {
      const change = Math.abs(relativeChange(medians[i]!, medians[i + 1]!));
      if (change < size) [smallest, size] = [i, change];
    });
    if (smallest < 0 || size >= noise) return kept;
    kept.splice(smallest, 1);
  }
}

export function analyseMetric(entries: EntrySummary[], metric: string, options: CheckOptions): MetricHistory {
  const info = metricInfo(metric)!;
  const points = seriesOf(entries, metric);
  const byId = new Map(entries.map((e) => [e.id, e]));
  const values = points.map((p) => p.value);
  const base = {
    metric,
    direction: info.direction,
    unit: info.unit,
    noise: options.noiseFor(metric),
    points,
  };
  const minSegment = options.minSegment ?? 3;
  if (points.length < 2 * minSegment)
    return { ...base, changes: [], regimes: [], verdict: "insufficient data" };
  const found = mergeWithinNoise(values, eDivisive(values, options), options.noiseFor(metric));
  const cuts = [0, ...found.map((c) => c.index), points.length];
  const regimes = cuts.slice(0, -1).map((from, i) => ({
    from,
    to: cuts[i + 1]!,
    median: median(values.slice(from, cuts[i + 1])),
  }));
  const changes: RegimeChange[] = found.map((c, i) => {
    const p = points[c.index]!;
    // E-divisive may place a step one point early or late: an environment change next to it explains it.
    const near = [c.index, c.index - 1, c.index + 1].filter((k) => k >= 1 && k < points.length);
    const environmentChange = near
      .map((k) => environmentDiff(byId.get(points[k - 1]!.entryId)!, byId.get(points[k]!.entryId)!))
      .find(Boolean);
    return {
      index: c.index,
      time: p.time,
      gitSha: p.gitSha,
      serverVersion: p.serverVersion,
      pValue: c.pValue,
      beforeMedian: regimes[i]!.median,
      afterMedian: regimes[i + 1]!.median,
      change: relativeChange(regimes[i]!.median, regimes[i + 1]!.median),
      ...(environmentChange && { environmentChange }),
    };
  });
  const last = changes.at(-1);
  if (!last) return { ...base, changes, regimes, verdict: "no change" };
  const before = values.slice(regimes.at(-2)!.from, last.index);
  const after = values.slice(last.index);
  const interval = bootstrapMedianChange(before, after, { seed: options.seed ?? 1 });
  const newest = { change: last.change, interval, before, after };
  if (last.environmentChange) return { ...base, changes, regimes, verdict: "environment change", newest };
  // The permutation test already found the change significant; the interval and noise say if it matters.
  const v = verdictOf(last.pValue, interval, options.noiseFor(metric), info.direction, 1);
  const verdict: CheckVerdict = v === "no significant change" ? "no change" : v;
  return { ...base, changes, regimes, verdict, newest };
}

export const HISTORY_CHECK_SCHEMA = "benchline/history-check@1";

/** What `history check` found: the input of its reporters. */
export interface HistoryCheckReport {
  schema: typeof HISTORY_CHECK_SCHEMA;
  createdAt: string;
  store: string;
  profile: string;
  entries: number;
  since?: string;
  metrics: MetricHistory[];
  regressed: string[];
  passed: boolean;
}

export function checkHistory(
  entries: EntrySummary[],
  metrics: string[],
  options: CheckOptions & { store: string; profile: string; since?: string; now?: Date },
): HistoryCheckReport {
  const analysed = metrics.map((m) => analyseMetric(entries, m, options)).filter((m) => m.points.length > 0);
  const regressed = analysed.filter((m) => m.verdict === "regressed").map((m) => m.metric);
  return {
    schema: HISTORY_CHECK_SCHEMA,
    createdAt: (options.now ?? new Date()).toISOString(),
    store: options.store,
    profile: options.profile,
    entries: entries.length,
    ...(options.since && { since: options.since }),
    metrics: analysed,
    regressed,
    passed: regressed.length === 0,
  };
}

/** The one line a failed check exits with: each regressed metric, the first run of its regime, the size. */
export function regressionLine(report: HistoryCheckReport, format: (m: MetricHistory) => string): string {
  return report.metrics
    .filter((m) => m.verdict === "regressed")
    .map((m) => {
      const c = m.changes.at(-1)!;
      return `${m.metric} ${format(m)} since the run of ${c.time} (git ${c.gitSha?.slice(0, 12) ?? "unknown"}, server ${c.serverVersion ?? "unknown"})`;
    })
    .join("; ");
}
