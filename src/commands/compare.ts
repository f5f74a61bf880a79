/**
 * `benchline compare BASELINE.json`: reruns the baseline's profile K times (or reads candidate results),
 * compares metric by metric, writes every output format, and exits 1 on a regression or a breach.
 */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import {
  candidateRunsNeeded,
  compareRuns,
  DEFAULT_ALPHA,
  environmentWarnings,
  metricsTestable,
} from "../baseline/compare.js";
import { latencyDistributions } from "../baseline/distributions.js";
import { type Baseline, profileHash } from "../baseline/format.js";
import {
  type ControlPlan,
  machineControlReport,
  machineControlWarnings,
  machineExplainedWarnings,
  planMachineControl,
  unadjustedWarnings,
} from "../baseline/machine-control.js";
import { metricValue } from "../baseline/metrics.js";
import { COMPARE_SCHEMA, type CompareReport } from "../baseline/report-model.js";
import { DEFAULT_POWER, noiseWarning } from "../baseline/resolution.js";
import { twoSampleInformation } from "../baseline/sequential.js";
import { median } from "../baseline/stats.js";
import { readBaseline } from "../baseline/store.js";
import { checkThreshold } from "../baseline/thresholds.js";
import type { Profile } from "../contract/profile.js";
import type { RunResult } from "../contract/result.js";
import { seriesLateSendWarnings } from "../engine/warnings.js";
import { UsageError, VerdictFailed } from "../errors.js";
import {
  entriesFor,
  type HistoryArgs,
  historyStore,
  recordHistory,
  withHistoryOptions,
} from "../history/record.js";
import { substituteEnv } from "../profile/env.js";
import type { LoadedProfile } from "../profile/loader.js";
import { REDACTED } from "../profile/redact.js";
import { renderCompareTable } from "../report/compare-table.js";
import { readRunResult } from "../report/documents.js";
import { stopSentence } from "../report/resolution-lines.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ensureWritableDir } from "../util/files.js";
import { fileTimestamp } from "../util/time.js";
import { writeCompareOutputs } from "./compare-outputs.js";
import { applyConnection, type ConnectionArgs, withConnectionOptions } from "./connection-options.js";
import { type AgentArgs, openAgents, withAgentOptions } from "./control-options.js";
import {
  type OutputArgs,
  openLiveMetrics,
  withOutputOptions,
  writeFinalPrometheus,
} from "./output-options.js";
import { runOne, runRepeatedly } from "./repeat.js";
import {
  parsePercent,
  type ResolutionArgs,
  resolutionPlan,
  untilResolved,
  withResolutionOptions,
  worstResolution,
} from "./resolve.js";
import { type ServerConfigArgs, useServerConfig, withServerConfigOptions } from "./server-config-options.js";
import { comparedMetrics, parseNoise, withVerdictOptions } from "./verdict-options.js";

export { writeCompareOutputs } from "./compare-outputs.js";

interface CompareArgs
  extends OutputArgs,
    ConnectionArgs,
    ServerConfigArgs,
    AgentArgs,
    HistoryArgs,
    ResolutionArgs {
  baseline: string;
  repeat?: number;
  candidate?: string[];
  noise: string[];
  metric?: string[];
  allowProfileChange: boolean;
  machineControl: boolean;
  out: string;
  json: boolean;
  seed: number;
}

/** Candidate runs compare makes when not told: enough for a verdict, unless a small baseline needs more. */
export const DEFAULT_CANDIDATE_RUNS = 5;

/**
 * How many candidate runs compare makes, or a one-line error saying precisely what would do. `repeat`
 * is --repeat when given; `files` the number of --candidate files. Without either, a baseline too small
 * for the default gets the fewest runs that can reach significance, and `note` says so.
 */
export function candidateRuns(
  file: string,
  baselineRuns: number,
  metrics: number,
  given: { repeat?: number; files?: number },
): { count: number; note?: string } {
  const count = given.files || (given.repeat ?? DEFAULT_CANDIDATE_RUNS);
  if (!given.files && (!Number.isInteger(count) || count < 1))
    throw new UsageError(`--repeat must be a whole number of at least 1, not ${given.repeat}`);
  if (metricsTestable(baselineRuns, count) >= metrics) return { count };
  const needed = candidateRunsNeeded(baselineRuns, metrics);
  if (needed && !given.files && given.repeat === undefined)
    return {
      count: needed,
      note: `${file} holds ${baselineRuns} runs: running ${needed} candidates instead of ${count}, the fewest with which ${metrics} metrics can reach significance at ${DEFAULT_ALPHA} (--repeat sets the count)`,
    };
  const fewer = metricsTestable(baselineRuns, count);
  const what = given.files ? `${count} candidate files` : `${count} candidate runs`;
  const more = needed
    ? given.files
      ? `give ${needed} or more --candidate files`
      : `use --repeat ${needed} or more`
    : "record a baseline with more runs";
  throw new UsageError(
    `${file} holds ${baselineRuns} runs; against ${what} no difference in ${metrics} metrics can reach significance at ${DEFAULT_ALPHA} (Holm-adjusted); ${more}${fewer > 0 ? `, or name at most ${fewer} with --metric` : ""}`,
  );
}

/** The baseline's stored profile, made runnable: ${ENV} references substituted, flags applied. */
function runnableProfile(b: Baseline, file: string, args: ConnectionArgs): LoadedProfile {
  const stored = b.profile;
  const runnable = applyConnection(
    {
      profile: {
        ...stored,
        servers: substituteEnv(stored.servers, process.env, file, "profile.servers") as string[],
        auth:
          stored.auth && (substituteEnv(stored.auth, process.env, file, "profile.auth") as Profile["auth"]),
      },
      stored,
      path: file,
    },
    args,
  );
  const auth = runnable.profile.auth;
  if (auth?.token === REDACTED || auth?.password === REDACTED) {
    throw new UsageError(
      `${file}: the baseline's profile had an inline secret, which was not kept; pass it again (--token, --password or NATS_TOKEN/NATS_PASSWORD), or record the baseline with the secret as a \${ENV} reference`,
    );
  }
  return runnable;
}

async function compare(args: CompareArgs): Promise<void> {
  const baseline = await readBaseline(args.baseline);
  const noiseFor = parseNoise(args.noise);
  const history = historyStore(args);
  const metrics = comparedMetrics(args.metric, baseline.profile);
  const tests = metrics.filter((m) => baseline.runs.some((r) => metricValue(r, m) !== undefined)).length;
  const planned = candidateRuns(args.baseline, baseline.runs.length, tests, {
    repeat: args.repeat,
    files: args.candidate?.length,
  });
  if (planned.note) process.stderr.write(`note: ${planned.note}\n`);
  const detect = parsePercent("detect", args.detect);
  const plan = resolutionPlan(args, planned.count, Math.max(...metrics.map(noiseFor)));
  if (plan && args.candidate?.length)
    throw new UsageError("--resolution adds runs as it goes; it cannot be used with --candidate files");
  const { loaded, embedded } = useServerConfig(runnableProfile(baseline, args.baseline, args), args);
  await ensureWritableDir(args.out, "artifacts dir (--out)");
  const dir = join(args.out, `${fileTimestamp()}-compare-${baseline.profile.name}`);

  let candidates: RunResult[] = [];
  let candidateHash: string;
  const settings = { alpha: DEFAULT_ALPHA, noiseFor, seed: args.seed, detect };
  let sequential: Awaited<ReturnType<typeof untilResolved<ReturnType<typeof compareRuns>>>> | undefined;
  // Read again at every look: the candidates so far are the control's candidate side. A candidate of
  // another profile (--allow-profile-change) may have another rate, which moves the control itself.
  const control = (): ControlPlan =>
    !args.machineControl
      ? { applied: false, reason: "--no-machine-control" }
      : candidates.some((c) => profileHash(c.profile) !== baselineHash)
        ? { applied: false, reason: "the candidate's profile differs from the baseline's" }
        : planMachineControl(baseline.profile, baseline, {
            envs: candidates.map((c) => c.env),
            runs: candidates,
          });
  // Hashed afresh from the stored profile, so that a baseline written before a change to what the
  // hash leaves out (the thread count, now sized from the load) still matches its own profile.
  const baselineHash = profileHash(baseline.profile);
  if (args.candidate?.length) {
    candidates = await Promise.all(args.candidate.map((f) => readRunResult(f, "candidate")));
    const hashes = new Set(candidates.map((c) => profileHash(c.profile)));
    candidateHash = [...hashes][0]!;
    if (!args.allowProfileChange && (hashes.size > 1 || candidateHash !== baselineHash)) {
      const other = candidates.find((c) => profileHash(c.profile) !== baselineHash)!;
      throw new UsageError(
        `candidate profile ${other.profile.name} (hash ${profileHash(other.profile)}) is not the baseline's (${baselineHash}); compare like with like, or pass --allow-profile-change`,
      );
    }
  } else {
    const live = await openLiveMetrics(args, loaded.profile);
    const agents = await openAgents(args).catch(async (err) => {
      await live.close();
      throw err;
    });
    const keep = async (result: RunResult, i: number) => {
      const file = join(dir, `candidate-${i + 1}.json`);
      await writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
      return file;
    };
    try {
      if (plan) {
        const n1 = baseline.runs.length;
        sequential = await untilResolved({
          first: planned.count,
          ...plan,
          unit: "candidate runs",
          informationOf: (n) => twoSampleInformation(n1, n),
          addRun: async (i) => {
            candidates.push(
              await runOne(loaded, {
                tag: `candidate ${i + 1}/<=${plan.max}`,
                name: `candidate ${i + 1}`,
                keep: (r) => keep(r, i),
                consequence: `the runs so far are in ${dir}`,
                events: live.events,
                target: { embedded, agents },
              }),
            );
          },
          judge: (nominal) =>
            compareRuns(baseline.runs, candidates, metrics, { ...settings, nominal, control: control() }),
          assess: (judged) => ({
            resolution: worstResolution(judged),
            regressed: judged.some((c) => c.verdict === "regressed"),
          }),
        });
      } else
        candidates = await runRepeatedly(loaded, {
          agents,
          events: live.events,
          count: planned.count,
          label: "candidate",
          keep,
          consequence: `the runs so far are in ${dir}`,
          embedded,
        });
    } finally {
      await agents?.close();
      await live.close();
    }
    candidateHash = profileHash(loaded.profile);
  }

  const machine = control();
  const comparisons =
    sequential?.judged ?? compareRuns(baseline.runs, candidates, metrics, { ...settings, control: machine });
  // Thresholds hold for the typical candidate run: each is checked against the candidates' median.
  const thresholds = loaded.profile.thresholds.map((t) =>
    checkThreshold(t, median(candidates.map((c) => metricValue(c, t.metric) ?? Number.NaN))),
  );
  const regressed = comparisons.filter((c) => c.verdict === "regressed").map((c) => c.metric);
  const warnings = [
    ...(candidates[0] ? environmentWarnings(baseline.env, candidates[0].env) : []),
    ...(candidateHash !== baselineHash
      ? ["the candidate's profile differs from the baseline's (--allow-profile-change)"]
      : []),
    ...comparisons
      .filter((c) => c.verdict === "insufficient data")
      .map((c) => `${c.metric}: too few values for the test`),
    ...comparisons.flatMap((c) => (c.resolution && noiseWarning(c.metric, c.noise, c.resolution)) || []),
    ...machineControlWarnings(machine, "when the baseline was recorded"),
    ...unadjustedWarnings(machine, comparisons),
    ...machineExplainedWarnings(machine, comparisons, "the baseline"),
    ...seriesLateSendWarnings(baseline.runs, "baseline run"),
    ...seriesLateSendWarnings(candidates, "candidate"),
  ];
  const report: CompareReport = {
    schema: COMPARE_SCHEMA,
    createdAt: new Date().toISOString(),
    baseline: {
      file: args.baseline,
      profile: baseline.profile.name,
      profileHash: baseline.profileHash,
      createdAt: baseline.createdAt,
      runs: baseline.runs.length,
      env: baseline.env,
    },
    candidate: {
      source: args.candidate?.length ? "files" : "rerun",
      runs: candidates.length,
      profileHash: candidateHash,
      env: candidates[0]?.env,
      ...(args.candidate?.length && { files: args.candidate }),
    },
    alpha: DEFAULT_ALPHA,
    metrics: comparisons,
    thresholds,
    warnings,
    distributions: latencyDistributions(baseline.runs, candidates),
    machineControl: machineControlReport(machine),
    resolution: {
      power: DEFAULT_POWER,
      ...(detect !== undefined && { detect }),
      ...(sequential && { stop: sequential.stop }),
    },
    regressed,
    passed: regressed.length === 0 && thresholds.every((t) => t.passed),
  };
  const files = await writeCompareOutputs(dir, report, { charts: args.charts, html: args.html });
  files.push(...(await writeFinalPrometheus(args, baseline.profile.name, candidates)));
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderCompareTable(report));
  process.stderr.write(`wrote ${dir}/ (${files.join(", ")})\n`);
  if (sequential) process.stderr.write(`${stopSentence(sequential.stop, "candidate runs")}\n`);
  // Candidates read from files were stored when they ran (or by `history import`).
  if (!args.candidate?.length) await recordHistory(history, entriesFor("compare", candidates, args));
  if (!report.passed) {
    const breached = thresholds.filter((t) => !t.passed).map((t) => `${t.metric} ${t.text}`);
    throw new VerdictFailed(
      [
        regressed.length ? `regressed: ${regressed.join(", ")}` : "",
        breached.length ? `thresholds breached: ${breached.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    );
  }
}

export const compareCommand: CommandModule = {
  command: "compare <baseline>",
  describe:
    "rerun a baseline's profile (or read candidate results) and give a regression verdict; exit 1 on regression",
  builder: (y: Argv) =>
    withResolutionOptions(
      withHistoryOptions(
        withVerdictOptions(
          withAgentOptions(
            withServerConfigOptions(
              withConnectionOptions(
                withOutputOptions(y, "percentile charts (PNG) and .hgrm files of both sides"),
              ),
            ),
          ),
        ),
      ),
      "candidate runs",
    )
      .positional("baseline", {
        type: "string",
        demandOption: true,
        describe: "baseline file from `baseline record`",
      })
      .option("repeat", {
        type: "number",
        describe: `candidate runs (default ${DEFAULT_CANDIDATE_RUNS}, or the fewest a baseline of few runs needs)`,
      })
      .option("candidate", {
        type: "string",
        array: true,
        describe: "result.json files to compare instead of running",
      })
      .option("allow-profile-change", {
        type: "boolean",
        default: false,
        describe: "compare a candidate of another profile",
      })
      .option("machine-control", {
        type: "boolean",
        default: true,
        describe:
          "compare latency at the baseline's machine speed, read from the generator's CPU per message (--no-machine-control: as measured)",
      })
      .option("out", { type: "string", default: "artifacts", describe: "artifacts root" })
      .example(
        "$0 compare baselines/smoke.json",
        "5 candidate runs on an embedded server against the baseline",
      )
      .epilogue("guide: docs/compare-in-ci.md"),
  handler: (a) => compare(a as unknown as CompareArgs),
};
