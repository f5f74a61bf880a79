/**
 * The capacity search: the highest publish rate the deployment sustains. A doubling ramp from the start
 * rate finds the first bad step; bisection between the last good and the first bad narrows it to the
 * precision asked. A step is good when it achieves 98% of its target rate, consumers keep up, and every
 * objective holds. Never prints: each step leaves as an event.
 */
import type { AgentControl } from "../agents/control.js";
import { evaluateThresholds } from "../baseline/thresholds.js";
import type { RunEnv } from "../contract/env.js";
import type { LatencyBlock } from "../contract/latency.js";
import { OP_LATENCY_KINDS } from "../contract/latency.js";
import type { RunResult } from "../contract/result.js";
import type { Threshold, ThresholdCheck } from "../contract/thresholds.js";
import type { LoadedProfile } from "../profile/loader.js";
import { applyOverrides } from "../profile/overrides.js";
import { buildPlan } from "./plan.js";
import { type RunEvents, runProfile } from "./run.js";

export const CAPACITY_SCHEMA = "benchline/capacity@1";
/** A step must reach this share of its target rate. */
export const ACHIEVED_SHARE = 0.98;
/** Consumers keep up when the backlog grows by at most this share of what was published. */
export const BACKLOG_SHARE = 0.02;
/**
 * The generator kept its schedule when 95% of its sends left within 10 ms of their intended time and
 * none was left unsent. Past that the rate found would be benchline's limit, not the deployment's.
 */
export const LAG_P95_LIMIT_US = 10_000;

export interface CapacityStep {
  index: number;
  phase: "ramp" | "bisect";
  targetPerSec: number;
  achievedPerSec: number;
  consumedPerSec: number;
  /** Messages published in the measured phase that consumers had not taken by its end. */
  backlogGrowth: number;
  /** The latency kind the step's p50/p99 are of (pubAck, request or e2e). */
  latencyKind?: string;
  p50Us?: number;
  p99Us?: number;
  objectives: ThresholdCheck[];
  good: boolean;
  reasons: string[];
  /** Bad only because benchline could not keep its own schedule: says nothing about the server. */
  generatorLimited: boolean;
  /** Every latency kind of the step, with its encoded histogram. */
  latency: Partial<Record<string, LatencyBlock>>;
}

export interface CapacityResult {
  schema: typeof CAPACITY_SCHEMA;
  complete: boolean;
  abortReason?: string;
  profile: RunResult["profile"];
  env?: RunEnv;
  startedAt: string;
  settings: {
    startPerSec: number;
    maxPerSec: number;
    stepDurationS: number;
    precision: number;
    objectives: string[];
  };
  steps: CapacityStep[];
  /** The highest good rate found; undefined when even the start rate failed. */
  maxGoodPerSec?: number;
  /** The lowest bad rate found; undefined when the maximum was good. */
  firstBadPerSec?: number;
}

export interface CapacityOptions {
  startPerSec: number;
  maxPerSec: number;
  stepDurationMs: number;
  precision: number;
  objectives: Threshold[];
  servers: string[];
  signal: AbortSignal;
  /** Run each step on agents instead of on this host. */
  agents?: AgentControl;
}

export interface CapacityEvents {
  onStepStart?(index: number, targetPerSec: number): void;
  onStep?(step: CapacityStep, result: CapacityResult): void | Promise<void>;
  run?: RunEvents;
}

function judge(
  run: RunResult,
  target: number,
  consumerGroups: number,
  objectives: Threshold[],
): Omit<CapacityStep, "index" | "phase"> {
  const reasons: string[] = [];
  // A load of KV, object or direct get clients only is measured in operations.
  const achieved =
    run.profile.publishers.length > 0 ? run.throughput.publishedPerSec : (run.throughput.opsPerSec ?? 0);
  if (achieved < target * ACHIEVED_SHARE)
    reasons.push(`achieved ${Math.round(achieved)} of ${target} msgs/s`);
  const published = achieved * run.measuredS;
  const expected = published * consumerGroups;
  const consumed = run.throughput.consumedPerSec * run.measuredS;
  const backlogGrowth = consumerGroups > 0 ? Math.max(0, Math.round(expected - consumed)) : 0;
  if (consumerGroups > 0 && backlogGrowth > expected * BACKLOG_SHARE)
    reasons.push(`consumers fell behind by ${backlogGrowth} messages`);
  const lagP95Us = run.latency.sendLag?.p95Us ?? 0;
  const generatorBehind = lagP95Us > LAG_P95_LIMIT_US || run.counts.unsent > 0;
  const deploymentReasons = reasons.length;
  if (generatorBehind) {
    reasons.push(
      `the load generator fell behind (sendLag p95 ${Math.round(lagP95Us / 1000)} ms${run.counts.unsent ? `, ${run.counts.unsent} never sent` : ""}): a limit of benchline here, not of the server`,
    );
  }
  const checks = evaluateThresholds(run, objectives);
  for (const c of checks)
    if (!c.passed) reasons.push(`${c.metric} ${c.text} broken (${Math.round(c.actual)})`);
  if (!run.complete) reasons.push(`the run stopped early: ${run.abortReason}`);
  const kind = (["pubAck", "request", "e2e", ...OP_LATENCY_KINDS] as const).find((k) => run.latency[k]);
  return {
    targetPerSec: target,
    achievedPerSec: achieved,
    consumedPerSec: run.throughput.consumedPerSec,
    backlogGrowth,
    latencyKind: kind,
    p50Us: kind ? run.latency[kind]!.p50Us : undefined,
    p99Us: kind ? run.latency[kind]!.p99Us : undefined,
    objectives: checks,
    good: reasons.length === 0,
    reasons,
    generatorLimited:
      generatorBehind && deploymentReasons === 0 && checks.every((c) => c.passed) && run.complete,
    latency: run.latency,
  };
}

export async function searchCapacity(
  loaded: LoadedProfile,
  o: CapacityOptions,
  events: CapacityEvents = {},
): Promise<CapacityResult> {
  const groups = buildPlan(loaded.profile, "cap").groups.length;
  const result: CapacityResult = {
    schema: CAPACITY_SCHEMA,
    complete: false,
    profile: loaded.stored,
    startedAt: new Date().toISOString(),
    settings: {
      startPerSec: o.startPerSec,
      maxPerSec: o.maxPerSec,
      stepDurationS: o.stepDurationMs / 1000,
      precision: o.precision,
      objectives: o.objectives.map((t) => `${t.metric} ${t.text}`),
    },
    steps: [],
  };

  /** Runs one step; false when the search must stop (interrupted or the run failed). */
  const step = async (target: number, phase: CapacityStep["phase"]): Promise<boolean> => {
    const index = result.steps.length;
    events.onStepStart?.(index, target);
    const overrides = { rate: target, duration: `${o.stepDurationMs}ms` };
    const stepProfile: LoadedProfile = {
      ...loaded,
      profile: applyOverrides(loaded.profile, overrides),
      stored: applyOverrides(loaded.stored, overrides),
    };
    const run = await runProfile(
      stepProfile,
      { servers: o.servers, signal: o.signal, agents: o.agents },
      events.run,
    );
    result.env ??= run.env;
    const judged = { index, phase, ...judge(run, target, groups, o.objectives) };
    result.steps.push(judged);
    if (judged.good) result.maxGoodPerSec = Math.max(result.maxGoodPerSec ?? 0, target);
    else result.firstBadPerSec = Math.min(result.firstBadPerSec ?? Number.POSITIVE_INFINITY, target);
    if (!run.complete) result.abortReason = run.abortReason;
    await events.onStep?.(judged, result);
    return run.complete;
  };

  let rate = o.startPerSec;
  for (;;) {
    if (!(await step(rate, "ramp"))) return result;
    const last = result.steps.at(-1)!;
    if (!last.good || rate >= o.maxPerSec) break;
    rate = Math.min(o.maxPerSec, rate * 2);
  }
  while (result.maxGoodPerSec !== undefined && result.firstBadPerSec !== undefined) {
    const good = result.maxGoodPerSec;
    const bad = result.firstBadPerSec;
    if ((bad - good) / good <= o.precision) break;
    if (!(await step(Math.round((good + bad) / 2), "bisect"))) return result;
  }
  result.complete = true;
  return result;
}
