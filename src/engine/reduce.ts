/**
 * One reducer per statistic, for any number of parts: threads' figures are merged from their raw parts
 * (merge.ts), and whole results (tenants side by side, agents' shares) through these. They walk every
 * field rather than name each, so a field added to Counts or Throughput later is summed, not dropped
 * (OpenMessaging Benchmark's PeriodStats::plus, autocannon's aggregateResult).
 */
import { mergeDataPaths } from "../contract/data-path.js";
import type { RunEnv } from "../contract/env.js";
import type { PermissionRefusal } from "../contract/permissions.js";
import type { Counts, DrainFigures, RunResult, ServerFigures, Throughput } from "../contract/result.js";
import { mergeRefusals } from "./permissions.js";

type Summable = number | Record<string, number> | PermissionRefusal[] | undefined;

/** Sums numbers, adds maps key by key, merges refusal lists; keeps a field absent only where all lack it. */
function sumFields<T extends object>(all: T[], round?: (n: number) => number): T {
  const out: Record<string, Summable> = {};
  for (const part of all)
    for (const [key, value] of Object.entries(part) as Array<[string, Summable]>) {
      if (value === undefined) continue;
      const had = out[key];
      if (typeof value === "number") out[key] = ((had as number | undefined) ?? 0) + value;
      else if (Array.isArray(value))
        out[key] = mergeRefusals([had as PermissionRefusal[] | undefined, value]);
      else {
        const map = { ...((had as Record<string, number> | undefined) ?? {}) };
        for (const [k, n] of Object.entries(value)) map[k] = (map[k] ?? 0) + n;
        out[key] = map;
      }
    }
  if (round)
    for (const [key, value] of Object.entries(out)) if (typeof value === "number") out[key] = round(value);
  return out as T;
}

export function sumCounts(all: Counts[]): Counts {
  return sumFields(all);
}

export function sumThroughput(all: Throughput[]): Throughput {
  return sumFields(all, (n) => Math.round(n * 10) / 10);
}

/** The environment of loads side by side on one target: threads added, data paths and agents merged. */
export function mergeEnv(all: RunEnv[]): RunEnv {
  const first = all[0]!;
  const threads = all.map((e) => e.workerThreads).filter((n): n is number => n !== undefined);
  const dataPath = mergeDataPaths(all.map((e) => e.dataPath));
  const agents = all.flatMap((e) => e.agents ?? []);
  return {
    ...first,
    ...(threads.length > 0 && {
      workerThreads: threads.reduce((a, b) => a + b, 0),
      workerThreadsReason: all.map((e, i) => `load ${i + 1}: ${e.workerThreadsReason}`).join("; "),
    }),
    ...(dataPath && { dataPath }),
    ...(agents.length > 0 && { agents }),
  };
}

/** Backlogs drained side by side: added; drained when all were; the longest drain. */
export function mergeDrains(all: Array<DrainFigures | undefined>): DrainFigures | undefined {
  const present = all.filter((d): d is DrainFigures => d !== undefined);
  if (present.length === 0) return undefined;
  const consumedMsgs = present.reduce((n, d) => n + d.consumedMsgs, 0);
  const drainS = Math.max(...present.map((d) => d.drainS));
  return {
    backlogMsgs: present.reduce((n, d) => n + d.backlogMsgs, 0),
    consumedMsgs,
    drained: present.every((d) => d.drained),
    drainS,
    drainedPerSec: drainS > 0 ? Math.round((consumedMsgs / drainS) * 10) / 10 : 0,
  };
}

/** Endpoints of several loads, by name (each load's endpoints are its own). */
export function mergeEndpoints(all: Array<RunResult["endpoints"]>): RunResult["endpoints"] {
  const merged = Object.assign({}, ...all.map((e) => e ?? {}));
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** The server's figures: one target, sampled around the whole run (the widest window of the loads). */
export function mergeServer(all: Array<ServerFigures | undefined>): ServerFigures | undefined {
  const present = all.filter((s): s is ServerFigures => s !== undefined);
  if (present.length === 0) return undefined;
  const widest = (f: (s: ServerFigures) => number) => Math.max(...present.map(f));
  return {
    ...present[present.length - 1]!,
    slowConsumersDuringRun: widest((s) => s.slowConsumersDuringRun),
    inMsgsDuringRun: widest((s) => s.inMsgsDuringRun),
    outMsgsDuringRun: widest((s) => s.outMsgsDuringRun),
  };
}
