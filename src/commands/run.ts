/** `benchline run PROFILE`: one run, a summary table (or JSON), result.json and summary.md. */
import type { Argv, CommandModule } from "yargs";
import type { RunResult } from "../contract/result.js";
import { writeRunArtifacts } from "../engine/artifacts.js";
import { loadRefusal } from "../engine/refused-load.js";
import { combineEvents, type RunOptions, runProfile } from "../engine/run.js";
import { Interrupted, RuntimeFailure, VerdictFailed } from "../errors.js";
import {
  entriesFor,
  type HistoryArgs,
  historyStore,
  recordHistory,
  withHistoryOptions,
} from "../history/record.js";
import { type LoadedProfile, loadProfile } from "../profile/loader.js";
import { applyOverrides, type ProfileOverrides } from "../profile/overrides.js";
import { formatMetric } from "../report/format-metric.js";
import { renderJson } from "../report/json.js";
import { createProgress } from "../report/progress.js";
import { renderTable } from "../report/table.js";
import { ensureWritableDir } from "../util/files.js";
import { counted } from "../util/plural.js";
import { shutdownSignal } from "../util/shutdown.js";
import { applyConnection, type ConnectionArgs, withConnectionOptions } from "./connection-options.js";
import { type AgentArgs, openAgents, withAgentOptions } from "./control-options.js";
import {
  type OutputArgs,
  openLiveMetrics,
  withOutputOptions,
  writeFinalPrometheus,
} from "./output-options.js";
import { type ServerConfigArgs, useServerConfig, withServerConfigOptions } from "./server-config-options.js";

interface RunArgs
  extends ProfileOverrides,
    OutputArgs,
    ConnectionArgs,
    ServerConfigArgs,
    AgentArgs,
    HistoryArgs {
  profile: string;
  monitor?: string;
  out: string;
  json: boolean;
}

/**
 * Loads the profile and applies the flags to it and to its stored form alike: the load flags, then the
 * connection flags and environment (secrets redacted in the stored form).
 */
export async function loadWithOverrides(
  file: string,
  overrides: ProfileOverrides,
  connection: ConnectionArgs,
): Promise<LoadedProfile> {
  const loaded = await loadProfile(file);
  return applyConnection(
    {
      ...loaded,
      profile: applyOverrides(loaded.profile, overrides),
      stored: applyOverrides(loaded.stored, overrides),
    },
    connection,
  );
}

async function run(args: RunArgs): Promise<void> {
  const { loaded, embedded } = useServerConfig(await loadWithOverrides(args.profile, args, args), args);
  const agents = await openAgents(args);
  try {
    await executeRun(loaded, args, { embedded, agents });
  } finally {
    await agents?.close();
  }
}

/** Runs a loaded profile as `run` does: artifacts, the table or JSON, the verdict. `quick` shares it. */
export async function executeRun(
  loaded: LoadedProfile,
  args: Pick<RunArgs, "out" | "json" | "monitor"> & OutputArgs & HistoryArgs,
  target: Pick<RunOptions, "embedded" | "agents"> = {},
): Promise<void> {
  await ensureWritableDir(args.out, "artifacts dir (--out)");
  const history = historyStore(args);
  const p = loaded.profile;
  const totalS = p.messages === undefined ? (p.warmupMs + p.durationMs) / 1000 : Number.POSITIVE_INFINITY;
  const live = await openLiveMetrics(args, p);
  const progress = createProgress(process.stderr, totalS);
  let result: RunResult;
  try {
    result = await runProfile(
      loaded,
      { monitorUrl: args.monitor, signal: shutdownSignal, ...target },
      combineEvents(progress, live.events),
    );
  } finally {
    progress.done();
    await live.close();
  }
  const { dir, files } = await writeRunArtifacts(args.out, result, { charts: args.charts, html: args.html });
  files.push(...(await writeFinalPrometheus(args, p.name, [result])));
  process.stdout.write(args.json ? renderJson(result) : renderTable(result));
  process.stderr.write(`wrote ${dir}/ (${files.join(", ")})\n`);
  await recordHistory(history, entriesFor("run", [result], args));
  if (!result.complete) {
    if (shutdownSignal.aborted)
      throw new Interrupted(`run interrupted; partial result in ${dir}/result.json`);
    throw new RuntimeFailure(`the run failed: ${result.abortReason}; partial result in ${dir}/result.json`);
  }
  const refused = loadRefusal(result);
  if (refused) throw new RuntimeFailure(`${refused} (result in ${dir}/result.json)`);
  const breached = result.thresholds.filter((t) => !t.passed);
  if (breached.length > 0) {
    throw new VerdictFailed(
      `${counted(breached.length, "threshold")} breached: ${breached.map((t) => `${t.metric} ${t.text} (was ${formatMetric(t.metric, t.actual)})`).join(", ")}`,
    );
  }
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run <profile>",
  describe: "run a load profile and measure it (starts its own nats-server when none is named)",
  builder: (y: Argv) =>
    withHistoryOptions(
      withAgentOptions(
        withServerConfigOptions(
          withConnectionOptions(withOutputOptions(y, "PNG charts and .hgrm histogram files")),
        ),
      ),
    )
      .positional("profile", {
        type: "string",
        demandOption: true,
        describe: "profile file, YAML or JSON (see profiles/)",
      })
      .option("monitor", { type: "string", describe: "monitoring URL of that server, for server figures" })
      .option("duration", { type: "string", describe: 'measured phase, e.g. "30s"' })
      .option("warmup", { type: "string", describe: 'warmup, measured then discarded, e.g. "2s"' })
      .option("rate", { type: "number", describe: "total msgs/s across publishers" })
      .option("workers", { type: "number", describe: "worker threads" })
      .option("out", {
        type: "string",
        default: "artifacts",
        describe: "artifacts root; each run writes a dir in it",
      })
      .option("json", {
        type: "boolean",
        default: false,
        describe: "print the result JSON instead of the table",
      })
      .example("$0 run profiles/smoke.yaml", "a 6 s run on an embedded server")
      .example(
        "$0 run profiles/js-e2e.yaml --server nats://staging:4222 --rate 20000",
        "fixed rate against staging",
      )
      .example(
        "$0 run profiles/js-e2e.yaml --server-config deploy/nats-server.conf",
        "on an embedded server from your own config (free ports, temp store)",
      )
      .example(
        "$0 run profiles/js-e2e.yaml --server nats://staging:4222 --agents 3 --control nats://control:4222",
        "the same load from three agents",
      )
      .epilogue("guide: docs/measuring.md") as unknown as Argv<RunArgs>,
  handler: run,
};
