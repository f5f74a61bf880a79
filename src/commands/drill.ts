/**
 * `benchline drill PROFILE`: the profile's load and faults while the alert pipeline is watched, per
 * expected alert the times from the fault's start to pending, firing, Alertmanager, the webhook and
 * resolved. Against the user's stack (--prometheus, --alertmanager), or an embedded one started here.
 */
import type { Argv, CommandModule } from "yargs";
import { latencyKindsOf } from "../baseline/metrics.js";
import { checkAlertmanager } from "../drill/alertmanager-api.js";
import { writeDrillArtifacts } from "../drill/artifacts.js";
import {
  alertNamesOf,
  DRILL_INTERVALS,
  drillRules,
  readRulesDir,
  scaleRulesYaml,
} from "../drill/drill-rules.js";
import { DrillWatch, runDrill } from "../drill/drill-run.js";
import { type EmbeddedStack, startEmbeddedStack } from "../drill/embedded-stack.js";
import { checkPrometheus, prometheusAlertRules } from "../drill/prometheus-api.js";
import { type DrillRunResult, type DrillSetup, drillResult } from "../drill/result.js";
import { drillVerdict, type Expectation } from "../drill/verdict.js";
import { serveWebhook, type WebhookReceiver } from "../drill/webhook.js";
import { combineEvents } from "../engine/run.js";
import { Interrupted, RuntimeFailure, UsageError, VerdictFailed } from "../errors.js";
import { checkFaultsFit } from "../faults/setup.js";
import type { LoadedProfile } from "../profile/loader.js";
import { renderDrillTable } from "../report/drill-table.js";
import { createProgress } from "../report/progress.js";
import { type MetricsEndpoint, serveMetrics } from "../report/prometheus/live.js";
import { ensureWritableDir } from "../util/files.js";
import { shutdownSignal } from "../util/shutdown.js";
import { parseDurationMs } from "../util/units.js";
import { type ConnectionArgs, withConnectionOptions } from "./connection-options.js";
import { loadWithOverrides } from "./run.js";

interface DrillArgs extends ConnectionArgs {
  profile: string;
  prometheus?: string;
  alertmanager?: string;
  expect?: string[];
  webhookPort?: number;
  metricsPort?: number;
  rules?: string;
  ruleTimeScale: number;
  deadline: string;
  resolveWithin: string;
  poll: string;
  drillHeader: boolean;
  out: string;
  json: boolean;
  charts: boolean;
  html: boolean;
}

/** `Name` or `Name=30s`. */
export function parseExpect(text: string, defaultDeadlineMs: number): Expectation {
  const [name, deadline] = text.split("=", 2) as [string, string | undefined];
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name))
    throw new UsageError(
      `--expect ${text}: write ALERT or ALERT=DEADLINE, e.g. --expect NatsPublishStalled=30s`,
    );
  return {
    name,
    deadlineMs: deadline === undefined ? defaultDeadlineMs : parseDurationMs(deadline, `--expect ${name}`),
  };
}

/** Refuses expectations no rule defines (exit 2), naming the rules that exist. */
export function checkExpectedNames(expected: Expectation[], ruleNames: string[]): void {
  const known = new Set(ruleNames);
  const unknown = expected.filter((e) => !known.has(e.name)).map((e) => e.name);
  if (unknown.length === 0) return;
  const names = [...known].sort();
  throw new UsageError(
    `--expect ${unknown.join(", ")}: no alert rule defines ${unknown.length > 1 ? "them" : "it"}; the rules define: ${names.length > 0 ? names.join(", ") : "(no alerting rules)"}`,
  );
}

/** Tags the drill's own load: a Benchline-Drill header on every published message. */
function withDrillHeader(loaded: LoadedProfile, id: string): LoadedProfile {
  const tag = (p: LoadedProfile["profile"]) => ({
    ...p,
    publishers: p.publishers.map((pub) => ({ ...pub, headers: { ...pub.headers, "Benchline-Drill": id } })),
  });
  return { ...loaded, profile: tag(loaded.profile), stored: tag(loaded.stored) };
}

async function drill(args: DrillArgs): Promise<void> {
  let loaded = await loadWithOverrides(args.profile, {}, args);
  const p = loaded.profile;
  const defaultDeadlineMs = parseDurationMs(args.deadline, "--deadline");
  const resolveWithinMs = parseDurationMs(args.resolveWithin, "--resolve-within");
  const pollMs = parseDurationMs(args.poll, "--poll");
  let expected = (args.expect ?? []).map((e) => parseExpect(e, defaultDeadlineMs));
  if (args.alertmanager && !args.prometheus)
    throw new UsageError("--alertmanager needs --prometheus: name the Prometheus that sends to it");
  if (args.prometheus && expected.length === 0)
    throw new UsageError(
      "name the alerts the drill should fire: --expect ALERT[=DEADLINE] (repeat for several)",
    );
  if (args.prometheus && args.rules)
    throw new UsageError("--rules loads rules into the embedded stack; your Prometheus has its own rules");
  // A fault that servers benchline did not start cannot take (a pause with no command.pause) is the
  // profile's to fix: said before any stack is contacted, not after the user has made it reachable.
  if (p.servers.length > 0) checkFaultsFit(p, loaded.path, { embedded: false, nodes: p.servers.length });
  await ensureWritableDir(args.out, "artifacts dir (--out)");
  const id = `${p.name}-${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}`;
  if (args.drillHeader) loaded = withDrillHeader(loaded, id);
  const faults = p.faults ?? [];
  let stack: EmbeddedStack | undefined;
  let webhook: WebhookReceiver | undefined;
  let metrics: MetricsEndpoint | undefined;
  const watch = new DrillWatch();
  try {
    let setup: DrillSetup;
    let watched: Set<string>;
    if (args.prometheus) {
      await checkPrometheus(args.prometheus);
      if (args.alertmanager) await checkAlertmanager(args.alertmanager);
      checkExpectedNames(
        expected,
        (await prometheusAlertRules(args.prometheus)).map((r) => r.name),
      );
      watched = new Set(expected.map((e) => e.name));
      if (args.webhookPort !== undefined) webhook = await serveWebhook(args.webhookPort, watch.notified);
      if (args.metricsPort !== undefined)
        metrics = await serveMetrics(args.metricsPort, p.name, latencyKindsOf(p), faults);
      setup = {
        id,
        stack: "external",
        prometheusUrl: args.prometheus,
        ...(args.alertmanager && { alertmanagerUrl: args.alertmanager }),
        ...(webhook && { webhookUrl: webhook.url }),
        rules: "the stack's own rules",
        pollMs,
        resolveWithinMs,
      };
    } else {
      const rules = args.rules
        ? (await readRulesDir(args.rules)).map((r) => ({
            ...r,
            text: scaleRulesYaml(r.text, args.ruleTimeScale),
          }))
        : [{ file: "drill.yml", text: drillRules(latencyKindsOf(p)).yaml }];
      const ruleNames = rules.flatMap((r) => alertNamesOf(r.text));
      const description = args.rules
        ? `rules from ${args.rules}, windows and for: divided by ${args.ruleTimeScale}`
        : drillRules(latencyKindsOf(p)).description;
      if (expected.length === 0 && faults.length > 0 && !args.rules && ruleNames[0])
        expected = [{ name: ruleNames[0], deadlineMs: defaultDeadlineMs }];
      checkExpectedNames(expected, ruleNames);
      watched = new Set(ruleNames);
      webhook = await serveWebhook(args.webhookPort ?? 0, watch.notified, "127.0.0.1");
      metrics = await serveMetrics(args.metricsPort ?? 0, p.name, latencyKindsOf(p), faults);
      const port = new URL(metrics.url).port;
      stack = await startEmbeddedStack({
        metricsTarget: `127.0.0.1:${port}`,
        rules,
        webhookUrl: webhook.url,
      });
      setup = {
        id,
        stack: "embedded",
        prometheusUrl: stack.prometheusUrl,
        alertmanagerUrl: stack.alertmanagerUrl,
        webhookUrl: webhook.url,
        rules: description,
        intervals: { ...DRILL_INTERVALS },
        pollMs,
        resolveWithinMs,
      };
    }
    metrics?.metrics.registry.setDefaultLabels({ drill: id });
    process.stderr.write(
      `drill ${id}: watching ${setup.prometheusUrl}${setup.alertmanagerUrl ? ` and ${setup.alertmanagerUrl}` : ""}; ${setup.rules}${setup.intervals ? `; scrape and evaluation every ${setup.intervals.scrapeS} s` : ""}${metrics ? `; benchline metrics on ${metrics.url}` : ""}\n`,
    );
    const totalS = (p.warmupMs + p.durationMs) / 1000;
    const progress = createProgress(process.stderr, totalS);
    let outcome: Awaited<ReturnType<typeof runDrill>>;
    try {
      const maxDeadlineMs = Math.max(0, ...expected.map((e) => e.deadlineMs));
      outcome = await runDrill(
        loaded,
        { signal: shutdownSignal },
        combineEvents(progress, metrics?.events),
        watch,
        {
          prometheusUrl: setup.prometheusUrl,
          alertmanagerUrl: setup.alertmanagerUrl,
          expected,
          resolveWithinMs,
          pollMs,
          webhook: webhook !== undefined,
          maxAfterLoadMs: maxDeadlineMs + resolveWithinMs,
        },
      );
    } finally {
      progress.done();
    }
    const verdict = drillVerdict(outcome.state, expected, {
      watched,
      resolveWithinMs,
      webhook: webhook !== undefined,
    });
    const result: DrillRunResult = {
      ...outcome.result,
      drill: drillResult(setup, outcome.result, outcome.state, verdict, watch.pollErrors),
    };
    const { dir, files } = await writeDrillArtifacts(args.out, result, {
      charts: args.charts,
      html: args.html,
    });
    process.stdout.write(
      args.json ? `${JSON.stringify(result.drill, null, 2)}\n` : renderDrillTable(result.drill),
    );
    process.stderr.write(`wrote ${dir}/ (${files.join(", ")})\n`);
    if (!result.complete) {
      if (shutdownSignal.aborted)
        throw new Interrupted(`drill interrupted; partial result in ${dir}/result.json`);
      throw new RuntimeFailure(
        `the drill's run failed: ${result.abortReason}; partial result in ${dir}/result.json`,
      );
    }
    if (!result.drill.passed)
      throw new VerdictFailed(`alert drill failed: ${result.drill.failures.join("; ")}`);
  } finally {
    await stack?.stop();
    await webhook?.close();
    await metrics?.close();
  }
}

export const drillCommand: CommandModule<object, DrillArgs> = {
  command: "drill <profile>",
  describe:
    "alert drill: run the profile's faults and time the alerts through Prometheus, Alertmanager and a webhook",
  builder: (y: Argv) =>
    withConnectionOptions(y)
      .positional("profile", {
        type: "string",
        demandOption: true,
        describe: "profile with a fault timeline",
      })
      .option("prometheus", {
        type: "string",
        describe:
          "your Prometheus URL; none: an embedded Prometheus and Alertmanager with benchline's drill rules",
      })
      .option("alertmanager", {
        type: "string",
        describe: "your Alertmanager URL, watched read-only (no silences are made)",
      })
      .option("expect", {
        type: "string",
        array: true,
        describe: "ALERT[=DEADLINE]: an alert that must fire within DEADLINE of the fault's start (repeat)",
      })
      .option("deadline", { type: "string", default: "20s", describe: "deadline of an --expect without one" })
      .option("resolve-within", {
        type: "string",
        default: "20s",
        describe: "an alert still firing this long after the last fault ended fails the drill",
      })
      .option("webhook-port", {
        type: "number",
        describe: "serve an Alertmanager webhook receiver on this port and time delivery (0: any free port)",
      })
      .option("metrics-port", {
        type: "number",
        describe: "serve benchline's /metrics here, labelled drill=ID (embedded stack: any free port)",
      })
      .option("rules", {
        type: "string",
        describe:
          "embedded stack: load these rules (slo --format prometheus --out DIR) instead of the drill rules",
      })
      .option("rule-time-scale", {
        type: "number",
        default: 60,
        describe: "with --rules: divide every window and for: by this (60: 5m becomes 5s)",
      })
      .option("poll", { type: "string", default: "250ms", describe: "how often the alert APIs are polled" })
      .option("drill-header", {
        type: "boolean",
        default: true,
        describe: "put a Benchline-Drill: ID header on every published message",
      })
      .option("out", {
        type: "string",
        default: "artifacts",
        describe: "artifacts root; each drill writes a dir in it",
      })
      .option("json", {
        type: "boolean",
        default: false,
        describe: "print the drill as JSON instead of the table",
      })
      .option("charts", {
        type: "boolean",
        default: true,
        describe: "write the timeline and run charts (--no-charts to skip)",
      })
      .option("html", {
        type: "boolean",
        default: false,
        describe: "also write report.html with the drill section",
      })
      .example("$0 drill profiles/pause.yaml", "embedded Prometheus and Alertmanager with the drill rules")
      .example(
        "$0 drill pause-staging.yaml --server nats://staging:4222 --prometheus http://prom:9090 --alertmanager http://am:9093 --expect NatsJetStreamPublishStalled=60s --webhook-port 9099",
        "against your monitoring stack (pause-staging.yaml: pause.yaml with command.pause and command.resume for your servers; see the guide)",
      )
      .epilogue("guide: docs/slo-and-alerts.md") as unknown as Argv<DrillArgs>,
  handler: drill,
};
