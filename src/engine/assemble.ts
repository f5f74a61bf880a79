/**
 * One load's RunResult from its coordinator outcome: every statistic through its reducer (counts,
 * throughput, latency, ops, drain, endpoints), the environment, the server's figures and the fault
 * figures, then thresholds and warnings. Pure but for the histograms it decodes.
 */
import type { AgentExecutor } from "../agents/executor.js";
import { evaluateThresholds } from "../baseline/thresholds.js";
import { mergeDataPaths } from "../contract/data-path.js";
import { RUN_SCHEMA, type RunResult, type ServerFigures } from "../contract/result.js";
import type { FaultOutcome } from "../faults/outcome.js";
import { LATENCY_BUCKETS_S } from "../metrics/histogram.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { Varz } from "../server/monitor.js";
import { counted } from "../util/plural.js";
import type { CoordinateOutcome } from "./coordinator.js";
import { mergeCounts, mergeIntervals, mergeLatency, mergeThroughput } from "./merge.js";
import { e2eUnmeasured, mergeDrain, mergeEndpoints, mergeOps } from "./merge-ops.js";
import type { Plan } from "./plan.js";
import { collectWarnings } from "./warnings.js";

export function dataPathOf(threads: CoordinateOutcome["threads"]): Pick<RunResult["env"], "dataPath"> {
  const dataPath = mergeDataPaths(threads.map((t) => t.dataPath));
  return dataPath ? { dataPath } : {};
}

/** env's thread figures for a run on agents: each agent sized its threads from its share and CPUs. */
export function agentThreads(
  agents: AgentExecutor,
): Pick<RunResult["env"], "workerThreads" | "workerThreadsReason" | "agents"> {
  const env = agents.env();
  return {
    workerThreads: env.reduce((n, a) => n + a.threads, 0),
    workerThreadsReason: `on ${counted(env.length, "agent")}: ${env.map((a) => `${a.name} ${a.threads}`).join(", ")} (each sized from its share of the load and its CPUs)`,
    agents: env,
  };
}

export function serverFigures(
  before?: Varz,
  after?: Varz,
  jsz?: { storageBytes: number; memoryBytes: number },
): ServerFigures | undefined {
  if (!before || !after) return undefined;
  return {
    version: after.version,
    cpuPercent: after.cpuPercent,
    memBytes: after.memBytes,
    connections: after.connections,
    slowConsumersDuringRun: after.slowConsumers - before.slowConsumers,
    inMsgsDuringRun: after.inMsgs - before.inMsgs,
    outMsgsDuringRun: after.outMsgs - before.outMsgs,
    jetstreamStorageBytes: jsz?.storageBytes ?? 0,
    jetstreamMemoryBytes: jsz?.memoryBytes ?? 0,
  };
}

export function assemble(
  loaded: LoadedProfile,
  plan: Plan,
  outcome: CoordinateOutcome,
  extra: {
    startedAt: string;
    warmupNs: number;
    env: RunResult["env"];
    server?: ServerFigures;
    faults?: FaultOutcome;
  },
): RunResult {
  const measuredS = Math.max(0, (outcome.measureEndNs - extra.warmupNs) / 1e9);
  const ops = mergeOps(loaded.profile, outcome.threads, measuredS);
  const base = mergeCounts(plan, outcome.threads);
  const counts = {
    ...base,
    ...ops.counts,
    lateSends: base.lateSends + (ops.counts.lateSends ?? 0),
    unsent: base.unsent + (ops.counts.unsent ?? 0),
  };
  const drain = mergeDrain(plan, outcome.threads, outcome.elapsedNs);
  const endpoints = mergeEndpoints(plan, outcome.threads);
  const unmeasured = e2eUnmeasured(loaded.profile);
  const result: RunResult = {
    schema: RUN_SCHEMA,
    complete: outcome.abortReason === undefined,
    ...(outcome.abortReason !== undefined && { abortReason: outcome.abortReason }),
    profile: loaded.stored,
    env: extra.env,
    startedAt: extra.startedAt,
    durationS: Math.round(outcome.elapsedNs / 1e6) / 1000,
    measuredS: Math.round(measuredS * 1000) / 1000,
    throughput: { ...mergeThroughput(outcome.threads, measuredS), ...ops.throughput },
    ...(outcome.generatorCpuPercent !== undefined && {
      generator: { cpuPercent: outcome.generatorCpuPercent },
    }),
    counts,
    latency: mergeLatency(outcome.threads),
    intervals: mergeIntervals(outcome.intervals, extra.warmupNs, outcome.measureEndNs),
    intervalBucketsS: LATENCY_BUCKETS_S,
    ...(extra.server && { server: extra.server }),
    ...(extra.faults && { faults: extra.faults.faults }),
    ...(extra.faults?.readBack && { readBack: extra.faults.readBack }),
    ...(drain && { drain }),
    ...(endpoints && { endpoints }),
    ...(unmeasured && { e2eUnmeasured: unmeasured }),
    thresholds: [],
    warnings: [],
  };
  if (extra.faults?.lostAcked !== undefined) result.counts.lostAcked = extra.faults.lostAcked;
  result.thresholds = evaluateThresholds(result, loaded.profile.thresholds);
  result.warnings = collectWarnings(result, loaded.profile);
  return result;
}
