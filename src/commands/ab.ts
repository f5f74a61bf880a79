/**
 * `benchline ab PROFILE --a TARGET --b TARGET [--rounds K]`: the same profile on two targets, runs
 * interleaved A B B A A B ... so that whatever the machine does over the minutes (a neighbour's load,
 * thermal limits, a cache growing) falls on both sides alike, unlike a baseline recorded last week on
 * another runner. The statistics and every report are compare's, with A as the baseline and B as the
 * candidate; exit 1 when B regressed against A.
 */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { compareRuns, DEFAULT_ALPHA } from "../baseline/compare.js";
import { latencyDistributions } from "../baseline/distributions.js";
import { profileHash } from "../baseline/format.js";
import { type ControlPlan, machineControlReport } from "../baseline/machine-control.js";
import { COMPARE_SCHEMA, type CompareReport } from "../baseline/report-model.js";
import { DEFAULT_POWER, noiseWarning } from "../baseline/resolution.js";
import { twoSampleInformation } from "../baseline/sequential.js";
import { minAttainablePValue } from "../baseline/stats.js";
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
import type { LoadedProfile } from "../profile/loader.js";
import type { ProfileOverrides } from "../profile/overrides.js";
import { REDACTED } from "../profile/redact.js";
import { renderCompareTable } from "../report/compare-table.js";
import { formatPercent } from "../report/format-metric.js";
import { stopSentence } from "../report/resolution-lines.js";
import { checkNatsServerBin } from "../server/binary.js";
import { checkUserConfig } from "../server/launcher.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ensureWritableDir } from "../util/files.js";
import { fileTimestamp } from "../util/time.js";
import { type AbTarget, parseAbTarget } from "./ab-target.js";
import { writeCompareOutputs } from "./compare-outputs.js";
import { type ConnectionArgs, withConnectionOptions } from "./connection-options.js";
import {
  type OutputArgs,
  openLiveMetrics,
  withOutputOptions,
  writeFinalPrometheus,
} from "./output-options.js";
import { runOne } from "./repeat.js";
import {
  parsePercent,
  type ResolutionArgs,
  resolutionPlan,
  untilResolved,
  withResolutionOptions,
  worstResolution,
} from "./resolve.js";
import { loadWithOverrides } from "./run.js";
import { comparedMetrics, parseNoise, withVerdictOptions } from "./verdict-options.js";

interface AbArgs extends ProfileOverrides, OutputArgs, ConnectionArgs, HistoryArgs, ResolutionArgs {
  profile: string;
  a: string;
  b: string;
  rounds: number;
  noise: string[];
  metric?: string[];
  seed: number;
  out: string;
  json: boolean;
}

/** A B, then B A, then A B ...: each side goes first in half the rounds, and pairs sit next to each other. */
export function abOrder(rounds: number): Array<"A" | "B"> {
  return Array.from({ length: rounds }, (_, r) =>
    r % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const),
  ).flat();
}

/**
 * ab does not adjust for the machine: its rounds interleave the sides, so the machine's minutes fall on
 * both alike, and what is left of a difference in the control between A and B is the servers' doing
 * (a server that takes more CPU beside the generator), which an adjustment would take for the machine.
 */
const AB_CONTROL: ControlPlan = {
  applied: false,
  reason: "ab interleaves its sides, so the machine's minutes fall on both alike",
};

/**
 * The profile as one side runs it: that side's servers, stored with the side's (redacted) URLs, and the
 * credentials its URLs carried, if any (stored redacted).
 */
function forTarget(loaded: LoadedProfile, target: AbTarget): LoadedProfile {
  const servers = target.options.servers ?? [];
  const c = target.credentials;
  const hidden = (v: string | undefined) => (v === undefined ? undefined : REDACTED);
  return {
    ...loaded,
    profile: { ...loaded.profile, servers, ...(c && { auth: c }) },
    stored: {
      ...loaded.stored,
      servers: target.options.servers ? target.label.split(",") : [],
      ...(c && { auth: { token: hidden(c.token), user: c.user, password: hidden(c.password) } }),
    },
  };
}

async function ab(args: AbArgs): Promise<void> {
  if (args.server?.length) throw new UsageError("ab takes its servers from --a and --b; leave out --server");
  if (!Number.isInteger(args.rounds) || args.rounds < 1 || args.rounds > 100)
    throw new UsageError(`--rounds must be a whole number from 1 to 100, not ${args.rounds}`);
  const targets = { A: parseAbTarget(args.a, "--a"), B: parseAbTarget(args.b, "--b") };
  const loaded = await loadWithOverrides(args.profile, args, args);
  for (const [flag, t] of [
    ["--a", targets.A],
    ["--b", targets.B],
  ] as const)
    if (t.credentials && loaded.profile.auth)
      throw new UsageError(
        `${flag}: the URL carries credentials, and so do the flags, NATS_* or the profile's auth: give them one way`,
      );
  const noiseFor = parseNoise(args.noise);
  const history = historyStore(args);
  const metrics = comparedMetrics(args.metric, loaded.profile);
  const detect = parsePercent("detect", args.detect);
  const plan = resolutionPlan(args, args.rounds, Math.max(...metrics.map(noiseFor)));
  if (metrics.length * minAttainablePValue(args.rounds, args.rounds) > DEFAULT_ALPHA) {
    let needed = args.rounds + 1;
    while (needed < 100 && metrics.length * minAttainablePValue(needed, needed) > DEFAULT_ALPHA) needed++;
    throw new UsageError(
      `${args.rounds} rounds give ${args.rounds} runs a side: too few for any of ${metrics.length} metrics to reach significance at ${DEFAULT_ALPHA} (Holm-adjusted); use --rounds ${needed} or more, or fewer --metric`,
    );
  }
  // Both sides checked before any run: a bad B should not cost the minutes of A's first run.
  for (const t of [targets.A, targets.B]) {
    const { embedded } = t.options;
    const bin = embedded?.bin ? checkNatsServerBin(embedded.bin) : undefined;
    if (embedded?.userConfig) await checkUserConfig(embedded.userConfig, bin);
  }
  await ensureWritableDir(args.out, "artifacts dir (--out)");
  const dir = join(args.out, `${fileTimestamp()}-ab-${loaded.profile.name}`);
  const maxRounds = plan?.max ?? args.rounds;
  const order: Array<"A" | "B"> = [];
  const runs: Record<"A" | "B", RunResult[]> = { A: [], B: [] };
  const settings = { alpha: DEFAULT_ALPHA, noiseFor, seed: args.seed, detect, paired: true };
  const live = await openLiveMetrics(args, loaded.profile);
  // One round: A B or B A, alternating, so each side goes first in half the rounds.
  const round = async (r: number) => {
    for (const side of abOrder(r + 1).slice(2 * r)) {
      order.push(side);
      const i = runs[side].length;
      const result = await runOne(forTarget(loaded, targets[side]), {
        tag: `${side} ${i + 1}/${plan ? `<=${maxRounds}` : maxRounds}`,
        name: `${side} run ${i + 1}`,
        keep: async (r) => {
          const file = join(dir, `${side.toLowerCase()}-${i + 1}.json`);
          await writeFileAtomic(file, `${JSON.stringify(r, null, 2)}\n`);
          return file;
        },
        consequence: `the runs so far are in ${dir}`,
        events: live.events,
        target: targets[side].options,
      });
      runs[side].push(result);
    }
  };
  let sequential: Awaited<ReturnType<typeof untilResolved<ReturnType<typeof compareRuns>>>> | undefined;
  try {
    if (plan)
      sequential = await untilResolved({
        first: args.rounds,
        ...plan,
        unit: "rounds",
        informationOf: (n) => twoSampleInformation(n, n),
        addRun: round,
        judge: (nominal) => compareRuns(runs.A, runs.B, metrics, { ...settings, nominal }),
        assess: (judged) => ({
          resolution: worstResolution(judged),
          regressed: judged.some((c) => c.verdict === "regressed"),
        }),
      });
    else for (let r = 0; r < args.rounds; r++) await round(r);
  } finally {
    await live.close();
  }

  const comparisons = sequential?.judged ?? compareRuns(runs.A, runs.B, metrics, settings);
  const regressed = comparisons.filter((c) => c.verdict === "regressed").map((c) => c.metric);
  const hash = profileHash(loaded.profile);
  const report: CompareReport = {
    schema: COMPARE_SCHEMA,
    createdAt: new Date().toISOString(),
    baseline: {
      file: `A: ${targets.A.label}`,
      profile: loaded.profile.name,
      profileHash: hash,
      createdAt: runs.A[0]!.startedAt,
      runs: runs.A.length,
      env: runs.A[0]!.env,
    },
    candidate: { source: "rerun", runs: runs.B.length, profileHash: hash, env: runs.B[0]!.env },
    ab: { a: targets.A.label, b: targets.B.label, rounds: runs.B.length, order: order.join("") },
    alpha: DEFAULT_ALPHA,
    metrics: comparisons,
    // ab judges B against A only; a profile's absolute thresholds are for run and compare.
    thresholds: [],
    warnings: [
      ...comparisons
        .filter((c) => c.verdict === "insufficient data")
        .map((c) => `${c.metric}: too few values for the test`),
      ...comparisons.flatMap((c) => (c.resolution && noiseWarning(c.metric, c.noise, c.resolution)) || []),
      ...seriesLateSendWarnings(runs.A, "A run"),
      ...seriesLateSendWarnings(runs.B, "B run"),
    ],
    distributions: latencyDistributions(runs.A, runs.B),
    machineControl: machineControlReport(AB_CONTROL),
    resolution: {
      power: DEFAULT_POWER,
      ...(detect !== undefined && { detect }),
      ...(sequential && { stop: sequential.stop }),
    },
    regressed,
    passed: regressed.length === 0,
  };
  const files = await writeCompareOutputs(dir, report, { charts: args.charts, html: args.html });
  files.push(...(await writeFinalPrometheus(args, loaded.profile.name, runs.B)));
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderCompareTable(report));
  process.stderr.write(`wrote ${dir}/ (${files.join(", ")})\n`);
  if (sequential) process.stderr.write(`${stopSentence(sequential.stop, "rounds")}\n`);
  // Each side is an entry of its own: its server (version, config) is part of what it measured.
  await recordHistory(history, [...entriesFor("ab:A", runs.A, args), ...entriesFor("ab:B", runs.B, args)]);
  if (!report.passed) {
    const worse = comparisons
      .filter((c) => c.verdict === "regressed")
      .map((c) => `${c.metric} ${formatPercent(c.change)}`);
    throw new VerdictFailed(
      `B (${targets.B.label}) regressed against A (${targets.A.label}): ${worse.join(", ")}`,
    );
  }
}

export const abCommand: CommandModule = {
  command: "ab <profile>",
  describe:
    "run a profile on two targets interleaved (A B B A ...) and give compare's verdicts of B against A; exit 1 when B regressed",
  builder: (y: Argv) =>
    withResolutionOptions(
      withHistoryOptions(
        withVerdictOptions(
          withConnectionOptions(
            withOutputOptions(y, "percentile charts (PNG) and .hgrm files of both sides"),
          ),
        ),
      ),
      "rounds",
    )
      // yargs lists a one-letter option as -a; the usage line and the options' words say --a, as the
      // examples, docs and errors write it (both spellings parse).
      .usage("$0 ab <profile> --a TARGET --b TARGET [options]")
      // The servers are the targets': --server has no place here.
      .hide("server")
      .positional("profile", { type: "string", demandOption: true, describe: "profile file, YAML or JSON" })
      .option("a", {
        type: "string",
        demandOption: true,
        describe:
          "--a TARGET (or -a): side A, the reference: nats://host:4222, config=FILE or bin=PATH (or config=FILE,bin=PATH)",
      })
      .option("b", {
        type: "string",
        demandOption: true,
        describe: "--b TARGET (or -b): side B, the change, in the same forms as --a",
      })
      .option("rounds", {
        type: "number",
        default: 6,
        describe: "rounds of two runs each (A B, then B A, ...): runs per side",
      })
      .option("duration", { type: "string", describe: 'measured phase of each run, e.g. "30s"' })
      .option("warmup", { type: "string", describe: 'warmup of each run, e.g. "2s"' })
      .option("rate", { type: "number", describe: "total msgs/s across publishers" })
      .option("out", { type: "string", default: "artifacts", describe: "artifacts root" })
      .example(
        "$0 ab profiles/js-e2e.yaml --a bin=/opt/nats-2.9/nats-server --b bin=/opt/nats-2.10/nats-server",
        "two server versions, interleaved on this machine",
      )
      .example(
        "$0 ab profiles/smoke.yaml --a config=deploy/nats.conf --b config=deploy/nats-tuned.conf --rounds 8",
        "two configs of yours",
      )
      .epilogue("guide: docs/compare-in-ci.md"),
  handler: (a) => ab(a as unknown as AbArgs),
};
