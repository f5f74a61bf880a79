/** `benchline capacity PROFILE`: the highest publish rate the deployment sustains under its objectives. */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { parseThreshold } from "../baseline/thresholds.js";
import type { Threshold } from "../contract/thresholds.js";
import { type CapacityResult, searchCapacity } from "../engine/capacity.js";
import { startEmbedded } from "../engine/embedded.js";
import { combineEvents } from "../engine/run.js";
import { Interrupted, RuntimeFailure, UsageError, VerdictFailed } from "../errors.js";
import { loadProfile } from "../profile/loader.js";
import { renderCapacityTable } from "../report/capacity-table.js";
import { writePngs } from "../report/charts/png.js";
import { documentCharts, renderDocumentHtml } from "../report/html/documents-html.js";
import { createProgress } from "../report/progress.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ensureWritableDir } from "../util/files.js";
import { shutdownSignal } from "../util/shutdown.js";
import { fileTimestamp } from "../util/time.js";
import { parseDurationMs } from "../util/units.js";
import { applyConnection, type ConnectionArgs, withConnectionOptions } from "./connection-options.js";
import { type AgentArgs, openAgents, withAgentOptions } from "./control-options.js";
import {
  type OutputArgs,
  openLiveMetrics,
  withOutputOptions,
  writeFinalPrometheus,
} from "./output-options.js";
import { type ServerConfigArgs, useServerConfig, withServerConfigOptions } from "./server-config-options.js";

interface CapacityArgs extends OutputArgs, ConnectionArgs, ServerConfigArgs, AgentArgs {
  profile: string;
  start: number;
  max: number;
  stepDuration: string;
  precision: number;
  slo: string[];
  out: string;
  json: boolean;
}

/** `pubAck.p99<20ms` -> a threshold; the same grammar as a profile's thresholds. */
export function parseObjective(text: string): Threshold {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*\.[A-Za-z0-9]+)\s*((?:<=|>=|==|!=|<|>).*)$/.exec(text);
  if (!m) throw new UsageError(`--slo ${text}: write METRIC OP VALUE, e.g. "pubAck.p99<20ms"`);
  return parseThreshold(m[1]!, m[2]!, "--slo");
}

async function capacity(args: CapacityArgs): Promise<void> {
  if (!(args.start > 0) || !(args.max >= args.start)) {
    throw new UsageError(
      `--start must be above 0 and --max at least --start (got ${args.start} and ${args.max})`,
    );
  }
  if (!(args.precision > 0 && args.precision < 100))
    throw new UsageError(`--precision is a percentage between 0 and 100, not ${args.precision}`);
  const stepDurationMs = parseDurationMs(args.stepDuration, "--step-duration");
  if (stepDurationMs < 500) throw new UsageError("--step-duration must be at least 500ms");
  const objectives = args.slo.map(parseObjective);
  const { loaded, embedded } = useServerConfig(applyConnection(await loadProfile(args.profile), args), args);
  if (loaded.profile.tenants)
    throw new UsageError(
      `${args.profile}: a capacity search runs one load, not tenants; search each tenant's profile alone`,
    );
  const p = loaded.profile;
  if (p.publishers.length === 0 && !p.kv?.clients.length && !p.objects && !p.direct)
    throw new UsageError(`${args.profile}: a capacity search ramps a rate; this profile only consumes`);
  if (
    p.publishers.length > 0 &&
    p.publishers.every((x) => x.mode === "request") &&
    p.responders.length === 0 &&
    p.servers.length === 0
  ) {
    // On the embedded server nobody answers; on a named server the user's own service may.
    throw new UsageError(`${args.profile}: request publishers need responders for a capacity search`);
  }
  await ensureWritableDir(args.out, "artifacts dir (--out)");
  const dir = join(args.out, `${fileTimestamp()}-capacity-${loaded.profile.name}`);
  const file = join(dir, "capacity.json");

  // Before a server starts: a wrong --agents flag is a usage error with nothing to clean up.
  const agents = await openAgents(args);
  let servers = loaded.profile.servers;
  let stopServer: (() => Promise<void>) | undefined;
  let result: CapacityResult;
  let live: Awaited<ReturnType<typeof openLiveMetrics>> | undefined;
  try {
    if (servers.length === 0) {
      // One embedded server for the whole search: the steps measure the same deployment.
      const started = await startEmbedded(loaded.profile, embedded);
      servers = started.urls;
      stopServer = started.stop;
      if (started.auth && !loaded.profile.auth) loaded.profile = { ...loaded.profile, auth: started.auth };
    }
    live = await openLiveMetrics(args, loaded.profile);
    const totalS = stepDurationMs / 1000 + loaded.profile.warmupMs / 1000;
    result = await searchCapacity(
      loaded,
      {
        startPerSec: args.start,
        maxPerSec: args.max,
        stepDurationMs,
        precision: args.precision / 100,
        objectives,
        servers,
        signal: shutdownSignal,
        agents,
      },
      {
        onStepStart: (i, target) => process.stderr.write(`step ${i + 1}: ${target} msgs/s\n`),
        // Rewritten after every step, so an interruption or a failure loses no step already done.
        onStep: (_step, r) => writeFileAtomic(file, `${JSON.stringify(r, null, 2)}\n`),
        run: combineEvents(createProgress(process.stderr, totalS), live.events),
      },
    );
  } finally {
    await live?.close();
    await agents?.close();
    await stopServer?.();
  }
  // The search's own end (complete, the answer) comes after the last step's write.
  await writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  const files = ["capacity.json"];
  const document = { kind: "capacity" as const, doc: result };
  if (args.charts) files.push(...(await writePngs(dir, documentCharts(document))));
  // The answer, and the latency at the highest sustained rate: what a dashboard of capacity shows.
  const knee = result.steps.find((s) => s.good && s.targetPerSec === result.maxGoodPerSec);
  files.push(
    ...(await writeFinalPrometheus(args, loaded.profile.name, knee ? [{ latency: knee.latency }] : [], {
      capacity_sustained_msgs_per_second: {
        help: "The highest publish rate the capacity search found sustained under its objectives.",
        value: result.maxGoodPerSec,
      },
      capacity_first_bad_msgs_per_second: {
        help: "The lowest publish rate the capacity search found not sustained.",
        value: result.firstBadPerSec,
      },
    })),
  );
  if (args.html) {
    await writeFileAtomic(join(dir, "report.html"), renderDocumentHtml(document));
    files.push("report.html");
  }
  process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : renderCapacityTable(result));
  process.stderr.write(`wrote ${dir}/ (${files.join(", ")})\n`);
  if (!result.complete) {
    if (shutdownSignal.aborted)
      throw new Interrupted(`capacity search interrupted; the steps done are in ${file}`);
    throw new RuntimeFailure(`capacity search stopped: ${result.abortReason}; the steps done are in ${file}`);
  }
  if (result.maxGoodPerSec === undefined) {
    const why = result.steps[0]?.reasons.join("; ") ?? "no step ran";
    throw new VerdictFailed(
      `the start rate of ${args.start} msgs/s is not sustained (${why}); lower --start or relax --slo`,
    );
  }
}

export const capacityCommand: CommandModule = {
  command: "capacity <profile>",
  describe: "find the highest publish rate sustained under the objectives: a step ramp, then bisection",
  builder: (y: Argv) =>
    withAgentOptions(
      withServerConfigOptions(
        withConnectionOptions(withOutputOptions(y, "capacity.png (latency against throughput)")),
      ),
    )
      .positional("profile", { type: "string", demandOption: true })
      .option("start", { type: "number", default: 1000, describe: "first step, msgs/s" })
      .option("max", { type: "number", default: 1_000_000, describe: "highest rate to try, msgs/s" })
      .option("step-duration", { type: "string", default: "5s", describe: "measured phase of each step" })
      .option("precision", {
        type: "number",
        default: 5,
        describe: "stop bisecting when good and bad are this many % apart",
      })
      .option("slo", {
        type: "string",
        array: true,
        default: [],
        describe: 'objective a good step must meet, e.g. "pubAck.p99<20ms"',
      })
      .option("out", { type: "string", default: "artifacts", describe: "artifacts root" })
      .option("json", {
        type: "boolean",
        default: false,
        describe: "print capacity.json instead of the table",
      })
      .example(
        '$0 capacity profiles/js-e2e.yaml --slo "pubAck.p99<20ms"',
        "the highest rate with a p99 PubAck under 20 ms",
      )
      .epilogue("guide: docs/slo-and-alerts.md"),
  handler: (a) => capacity(a as unknown as CapacityArgs),
};
