/** `benchline baseline record|show`: K runs of a profile kept as one baseline file; its medians and spreads. */
import { dirname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { DEFAULT_NOISE } from "../baseline/compare.js";
import { BASELINE_SCHEMA, type Baseline, profileHash, summarizeRun } from "../baseline/format.js";
import { readBaseline, writeBaseline } from "../baseline/store.js";
import { summarizeBaseline } from "../baseline/summary.js";
import { writeRunArtifacts } from "../engine/artifacts.js";
import { UsageError } from "../errors.js";
import {
  entriesFor,
  type HistoryArgs,
  historyStore,
  recordHistory,
  withHistoryOptions,
} from "../history/record.js";
import { renderBaselineShow } from "../report/baseline-show.js";
import { stopSentence } from "../report/resolution-lines.js";
import { ensureWritableDir } from "../util/files.js";
import { benchlineVersion } from "../version.js";
import { DEFAULT_CANDIDATE_RUNS } from "./compare.js";
import { type ConnectionArgs, withConnectionOptions } from "./connection-options.js";
import { type AgentArgs, openAgents, withAgentOptions } from "./control-options.js";
import { runOne, runRepeatedly } from "./repeat.js";
import {
  parsePercent,
  type ResolutionArgs,
  resolutionPlan,
  untilResolved,
  withResolutionOptions,
  worstResolution,
} from "./resolve.js";
import { loadWithOverrides } from "./run.js";
import { type ServerConfigArgs, useServerConfig, withServerConfigOptions } from "./server-config-options.js";

/** Fewer runs than this give no rank test a chance. */
export const MIN_BASELINE_RUNS = 3;

interface RecordArgs extends ConnectionArgs, ServerConfigArgs, AgentArgs, HistoryArgs, ResolutionArgs {
  profile: string;
  repeat: number;
  out: string;
  artifacts: string;
  duration?: string;
  rate?: number;
}

async function record(args: RecordArgs): Promise<void> {
  if (!Number.isInteger(args.repeat) || args.repeat < MIN_BASELINE_RUNS || args.repeat > 1000) {
    throw new UsageError(
      `--repeat must be a whole number from ${MIN_BASELINE_RUNS} to 1000, not ${args.repeat}: fewer than ${MIN_BASELINE_RUNS} runs give no test of significance`,
    );
  }
  if (!args.out.endsWith(".json")) throw new UsageError(`--out ${args.out}: a baseline file ends in .json`);
  const history = historyStore(args);
  const detect = parsePercent("detect", args.detect);
  const plan = resolutionPlan(args, args.repeat, DEFAULT_NOISE);
  const asked = { candidateRuns: DEFAULT_CANDIDATE_RUNS, detect };
  const { loaded, embedded } = useServerConfig(
    await loadWithOverrides(args.profile, { duration: args.duration, rate: args.rate }, args),
    args,
  );
  await ensureWritableDir(args.artifacts, "artifacts dir");
  // Checked before the runs, not after them: minutes of load should not end in "cannot write".
  await ensureWritableDir(dirname(args.out), "baseline dir (--out)");
  // Nothing is written to --out until every run is complete: a baseline holds complete runs only.
  const agents = await openAgents(args);
  let runs: Awaited<ReturnType<typeof runRepeatedly>> = [];
  const keep = async (result: Parameters<typeof summarizeRun>[0]) =>
    `${(await writeRunArtifacts(args.artifacts, result)).dir}/result.json`;
  const baselineOf = (): Baseline => ({
    schema: BASELINE_SCHEMA,
    benchline: benchlineVersion,
    createdAt: new Date().toISOString(),
    profile: loaded.stored,
    profileHash: profileHash(loaded.profile),
    env: runs[0]!.env,
    runs: runs.map(summarizeRun),
  });
  let stop: Awaited<ReturnType<typeof untilResolved>>["stop"] | undefined;
  try {
    if (plan) {
      // No test is made while recording, so looking after every run spends no alpha: the target is what
      // a compare of the default candidate count against the baseline so far would resolve.
      ({ stop } = await untilResolved({
        first: args.repeat,
        ...plan,
        unit: "runs",
        informationOf: (n) => n,
        addRun: async (i) => {
          runs.push(
            await runOne(loaded, {
              tag: `run ${i + 1}/<=${plan.max}`,
              name: `run ${i + 1}`,
              keep,
              consequence: `${args.out} was not written`,
              target: { embedded, agents },
            }),
          );
        },
        judge: () => summarizeBaseline(baselineOf(), asked),
        assess: (spreads) => ({ resolution: worstResolution(spreads), regressed: false }),
      }));
    } else
      runs = await runRepeatedly(loaded, {
        count: args.repeat,
        label: "run",
        keep,
        consequence: `${args.out} was not written`,
        embedded,
        agents,
      });
  } finally {
    await agents?.close();
  }
  const baseline = baselineOf();
  await writeBaseline(args.out, baseline);
  process.stdout.write(renderBaselineShow(baseline, summarizeBaseline(baseline, asked), new Date()));
  if (stop) process.stdout.write(`${stopSentence(stop)}\n`);
  process.stderr.write(`wrote ${args.out}\n`);
  await recordHistory(history, entriesFor("baseline", runs, args));
}

async function show(args: { file: string; json: boolean; detect?: string }): Promise<void> {
  const b = await readBaseline(args.file);
  const detect = parsePercent("detect", args.detect);
  const spreads = summarizeBaseline(b, { candidateRuns: DEFAULT_CANDIDATE_RUNS, detect });
  process.stdout.write(
    args.json
      ? `${JSON.stringify({ profile: b.profile.name, createdAt: b.createdAt, runs: b.runs.length, env: b.env, metrics: spreads }, null, 2)}\n`
      : renderBaselineShow(b, spreads, new Date()),
  );
}

export const baselineCommand: CommandModule = {
  command: "baseline",
  describe: "record a baseline (K runs of a profile) or show one",
  builder: (y: Argv) =>
    y
      .command({
        command: "record <profile>",
        describe: "run PROFILE K times and keep the runs as a baseline file",
        builder: (b: Argv) =>
          withResolutionOptions(
            withHistoryOptions(withAgentOptions(withServerConfigOptions(withConnectionOptions(b)))),
          )
            .positional("profile", { type: "string", demandOption: true })
            .option("out", {
              type: "string",
              demandOption: true,
              describe: "baseline file to write, e.g. baselines/staging.json",
            })
            .option("repeat", {
              type: "number",
              default: 10,
              describe: `runs (at least ${MIN_BASELINE_RUNS}); with --resolution, the runs before the first look`,
            })
            .option("duration", { type: "string", describe: "override the profile's measured phase" })
            .option("rate", { type: "number", describe: "override the total rate" })
            .option("artifacts", {
              type: "string",
              default: "artifacts",
              describe: "where each run's result goes",
            })
            .example("$0 baseline record profiles/smoke.yaml --repeat 10 --out baselines/smoke.json", "")
            .epilogue("guide: docs/compare-in-ci.md"),
        handler: (a) => record(a as unknown as RecordArgs),
      })
      .command({
        command: "show <file>",
        describe: "medians and spreads per metric, the environment and the age of a baseline",
        builder: (b: Argv) =>
          b
            .positional("file", { type: "string", demandOption: true })
            .option("json", {
              type: "boolean",
              default: false,
              describe:
                "print the profile, creation time, run count, environment and per-metric spreads as JSON",
            })
            .option("detect", {
              type: "string",
              describe: `give the candidate runs a compare needs to detect this change, e.g. 10%`,
            })
            .epilogue("guide: docs/compare-in-ci.md"),
        handler: (a) => show(a as unknown as { file: string; json: boolean; detect?: string }),
      })
      .demandCommand(1, "say record or show")
      .epilogue("guide: docs/compare-in-ci.md"),
  handler: () => {},
};
