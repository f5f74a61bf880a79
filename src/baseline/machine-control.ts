/**
 * The machine control: what benchline's own work cost in each run (the generator's CPU per message)
 * says how fast the machine ran then, and latency's body is compared at the baseline's machine speed.
 *
 * Why: a stored baseline holds one sitting of the machine. Over 40 A/A compares against one baseline on
 * a 2-core VM, the four that failed came in minutes when the generator's CPU per message was 25-37%
 * above the baseline's and the server's with it: the same work took longer, so e2e.p50 read 10-18%
 * high (docs/benchmarks.md, "The machine control"). Across those compares log e2e.p50 fell on log
 * generator CPU per message with slope 0.39, and within each compare's own runs with slope 0.34: the
 * machine's minutes move both, and one line explains the spread between sittings and within one.
 *
 * The method is regression adjustment (analysis of covariance; CUPED, Deng et al. 2013, is the same
 * with a covariate from before the experiment): ln y' = ln y - slope (ln x - mean ln x of the
 * baseline), the slope pooled within the two sides, so a shift of the whole candidate side does not
 * set it. The slope is an estimate, and its error moves every candidate alike, times the control's
 * move: compare holds its test and interval over the slope's confidence interval (machine-adjust.ts).
 * It is honest only while the control does not depend on what is compared, so it applies only
 * when the same generator ran both sides (version, Node, client, data path, threads, transport,
 * agents) and the load is open loop: at a fixed rate the generator's work per message is set by the
 * profile; in a closed loop the server's speed sets the batching, and with it the generator's cost.
 */
import type { RunEnv } from "../contract/env.js";
import { type Profile, wholeLoad } from "../contract/profile.js";
import type { GeneratorFigures, Throughput } from "../contract/result.js";
import { metricInfo } from "./metrics.js";
import { median, relativeChange } from "./stats.js";

/** What a run needs to carry for the control: the generator's CPU and the message rates. */
export interface ControlSource {
  throughput: Throughput;
  generator?: GeneratorFigures;
}

/** The control's name in reports. */
export const CONTROL_NAME = "generator CPU per message";

/** A control shift at least this large is worth a warning line of its own. */
export const CONTROL_WARN_SHIFT = 0.1;

/** The generator's CPU microseconds per message it published, consumed or operated on; undefined without both. */
export function generatorCostUs(run: ControlSource): number | undefined {
  const cpu = run.generator?.cpuPercent;
  const t = run.throughput;
  const perSec = t.publishedPerSec + t.consumedPerSec + (t.opsPerSec ?? 0);
  if (cpu === undefined || !(cpu > 0) || !(perSec > 0)) return undefined;
  return (cpu / 100 / perSec) * 1e6;
}

/** Whether the control applies to two sides, and each run's control value when it does. */
export type ControlPlan =
  | { applied: true; baseline: number[]; candidate: number[] }
  | { applied: false; reason: string };

/** The env fields that make two runs the same generator. */
const GENERATOR_FIELDS: Array<[keyof RunEnv, string]> = [
  ["benchline", "benchline version"],
  ["node", "Node version"],
  ["client", "client"],
  ["transport", "transport"],
  ["workerThreads", "worker threads"],
  ["dataPath", "data path"],
  ["agents", "agents"],
];

/** What the generator was in a run, for the same-generator test (agents by name, host, CPUs, threads). */
function generatorIdentity(env: RunEnv, key: keyof RunEnv): string {
  if (key === "agents")
    return JSON.stringify((env.agents ?? []).map((a) => [a.name, a.host, a.cpus, a.threads, a.share]));
  return JSON.stringify(env[key] ?? null);
}

/**
 * Why a profile's load cannot stand for the machine (a rate of "max" somewhere, or no load at a set
 * rate at all: a consume-only run drains at the server's pace), or undefined when it can.
 */
export function closedLoopPart(profile: Profile): string | undefined {
  const p = wholeLoad(profile).publishers.find((x) => x.ratePerSec === "max");
  if (p) return `publisher ${p.name} runs at rate max`;
  const scopes = [profile, ...(profile.tenants ?? [])];
  const clients = scopes.flatMap((t) => [
    ...(t.kv?.clients ?? []),
    ...(t.objects?.clients ?? []),
    ...(t.direct?.clients ?? []),
  ]);
  if (clients.some((c) => c.ratePerSec === "max")) return "an operation client runs at rate max";
  if (wholeLoad(profile).publishers.length + clients.length === 0) return "no load runs at a set rate";
  return undefined;
}

/**
 * Decides whether latency is adjusted for the machine between a baseline (or side A) and candidates
 * (or side B), and reads each run's control value.
 */
export function planMachineControl(
  profile: Profile,
  base: { env: RunEnv; runs: ControlSource[] },
  cand: { envs: RunEnv[]; runs: ControlSource[] },
): ControlPlan {
  const own = baselineControl(profile, base.runs);
  if ("reason" in own) return { applied: false, reason: own.reason };
  for (const env of cand.envs) {
    const differs = GENERATOR_FIELDS.find(
      ([key]) => generatorIdentity(base.env, key) !== generatorIdentity(env, key),
    );
    if (differs) return { applied: false, reason: `the generator differs (${differs[1]})` };
  }
  const candidate = cand.runs.map(generatorCostUs);
  if (candidate.some((x) => x === undefined))
    return { applied: false, reason: "a candidate run does not record the generator's CPU" };
  return { applied: true, baseline: own.values, candidate: candidate as number[] };
}

/**
 * A baseline's own runs as the control sees them: each run's value when a compare against it can
 * adjust latency (an open-loop load, every run with the generator's CPU), or why it cannot.
 */
export function baselineControl(
  profile: Profile,
  runs: ControlSource[],
): { values: number[] } | { reason: string } {
  const closed = closedLoopPart(profile);
  if (closed)
    return {
      reason: `${closed}: the server's speed sets the generator's work there, so its CPU cannot stand for the machine's`,
    };
  const values = runs.map(generatorCostUs);
  if (values.some((x) => x === undefined))
    return {
      reason:
        "the baseline's runs do not record the generator's CPU (recorded before benchline kept it); record it again",
    };
  return { values: values as number[] };
}

/** The control as a compare report states it (compare.json's machineControl). */
export interface MachineControlReport {
  name: typeof CONTROL_NAME;
  applied: boolean;
  /** Why latency was compared as measured instead. */
  reason?: string;
  baselineMedianUs?: number;
  candidateMedianUs?: number;
  /** The candidates' control over the baseline's, medians, as a fraction: +0.3 is a machine 30% slower. */
  change?: number;
}

export function machineControlReport(plan: ControlPlan): MachineControlReport {
  if (!plan.applied) return { name: CONTROL_NAME, applied: false, reason: plan.reason };
  const baselineMedianUs = median(plan.baseline);
  const candidateMedianUs = median(plan.candidate);
  return {
    name: CONTROL_NAME,
    applied: true,
    baselineMedianUs,
    candidateMedianUs,
    change: relativeChange(baselineMedianUs, candidateMedianUs),
  };
}

/**
 * A line when the machine moved enough to matter: the verdicts were taken at the baseline's speed, and
 * the reader should know how far that was from the candidates' own. `when` says what the baseline side
 * was ("when the baseline was recorded", "on side A").
 */
export function machineControlWarnings(plan: ControlPlan, when: string): string[] {
  const r = machineControlReport(plan);
  if (!r.applied || r.change === undefined || Math.abs(r.change) < CONTROL_WARN_SHIFT) return [];
  const pct = `${Math.abs(r.change * 100).toFixed(0)}%`;
  return [
    `the machine ran benchline's own work ${pct} ${r.change > 0 ? "slower" : "faster"} than ${when} (${CONTROL_NAME} ${r.baselineMedianUs!.toFixed(1)} -> ${r.candidateMedianUs!.toFixed(1)} us): latency up to p95 is called regressed only when it is so at the baseline's machine speed too (docs/compare-in-ci.md, "The machine control")`,
  ];
}

/** The latency statistics the control adjusts: the body of the distribution, not its tail. */
const ADJUSTED_STATS = new Set(["min", "mean", "p50", "p90", "p95"]);

/**
 * Whether a metric is compared at the baseline's machine speed. Latency only (an open-loop run's
 * throughput is its rate), and only up to p95: the body of a latency distribution is per-message work,
 * which the machine's speed sets, and its tail is rare events (a GC, a preemption, an fsync) that it
 * explains less. Over 40 compares of smoke the control explained 82% of the variance of ln e2e.p50
 * within a compare, 59% of e2e.p95's and 29% of e2e.p99's; and with the slope's uncertainty priced in,
 * adjusting e2e.p99 made its median resolution worse (47.2% to 52.1%), e2e.p50's better (11.0% to
 * 8.3%; docs/benchmarks.md, "The machine control").
 */
export function adjustsMetric(metric: string): boolean {
  const [, stat] = metric.split(".");
  return metricInfo(metric)?.unit === "us" && ADJUSTED_STATS.has(stat ?? "");
}

/**
 * A line naming the metrics the control would adjust that were compared as measured all the same:
 * a run whose value is 0 (no logarithm) or a control that did not vary (no slope). The report's
 * `machine control:` line speaks for the others.
 */
export function unadjustedWarnings(
  plan: ControlPlan,
  compared: ReadonlyArray<{ metric: string; machineAdjusted?: unknown }>,
): string[] {
  if (!plan.applied) return [];
  const left = compared.filter((c) => adjustsMetric(c.metric) && !c.machineAdjusted).map((c) => c.metric);
  return left.length === 0
    ? []
    : [
        `${left.join(", ")}: compared as measured, not at the baseline's machine speed (a run's value is 0, which has no logarithm; the control did not vary between runs; or too few runs to pay for the slope's share of alpha)`,
      ];
}

/**
 * A line for each metric that reads regressed as measured but not at the baseline's machine speed: not
 * called regressed, because the machine's move explains it. Said aloud, because the control can be
 * moved by the change under test too: a server whose change makes benchline's own work a message
 * dearer (more bytes to parse, CPU taken beside it) would be read as a slower machine.
 */
export function machineExplainedWarnings(
  plan: ControlPlan,
  compared: ReadonlyArray<{
    metric: string;
    change: number;
    verdict: string;
    machineAdjusted?: { change: number; measured?: { verdict?: string } };
  }>,
  when: string,
): string[] {
  const r = machineControlReport(plan);
  if (!r.applied || r.change === undefined) return [];
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
  return compared
    .filter((c) => c.machineAdjusted?.measured?.verdict === "regressed" && c.verdict !== "regressed")
    .map(
      (c) =>
        `${c.metric}: ${pct(c.change)} as measured reads regressed, ${pct(c.machineAdjusted!.change)} at the baseline's machine speed does not, so it is not called regressed (${CONTROL_NAME} ${pct(r.change!)} against ${when}); if the change under test makes benchline's own work a message dearer (more bytes from the server, a server taking CPU beside it), that share is the server's`,
    );
}
