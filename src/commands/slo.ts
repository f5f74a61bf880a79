/** `benchline slo BASELINE.json`: proposed, observational SLO numbers, in the format a user's tooling reads. */
import type { Argv, CommandModule } from "yargs";
import { readBaseline } from "../baseline/store.js";
import { UsageError } from "../errors.js";
import { deriveSlos } from "../slo/derive.js";
import { renderOpenSlo } from "../slo/openslo.js";
import { parseLabels, seriesNames } from "../slo/prometheus-names.js";
import { renderPrometheusRules } from "../slo/prometheus-rules.js";
import { renderSloJson, renderSloMarkdown, renderSloTable } from "../slo/render.js";
import { renderThresholdsBlock, writeThresholdsIntoProfile } from "../slo/thresholds-block.js";
import { parseSloWindow } from "../slo/window.js";
import { proveRules } from "./slo-tests.js";

const FORMATS = ["table", "json", "markdown", "openslo", "prometheus", "thresholds"] as const;

interface SloArgs {
  baseline: string;
  headroom: number;
  target: number;
  window: string;
  format: (typeof FORMATS)[number];
  metricPrefix: string;
  labels?: string;
  metric?: string[];
  writeProfile?: string;
  tests?: string[];
  out?: string;
  replayStep: string;
  json?: boolean;
}

async function slo(args: SloArgs): Promise<void> {
  const window = parseSloWindow(args.window);
  const baseline = await readBaseline(args.baseline);
  const set = deriveSlos(baseline, args.baseline, {
    headroom: args.headroom,
    targetPercent: args.target,
    windowS: window.seconds,
    metrics: args.metric,
  });
  const names = seriesNames(args.metricPrefix, parseLabels(args.labels));
  if (args.tests) {
    if (args.format !== "prometheus")
      throw new UsageError("--tests replays runs through the Prometheus rules: add --format prometheus");
    if (!args.out) throw new UsageError("--tests needs --out DIR for the rules and their promtool test file");
    await proveRules(set, names, { ...args, tests: args.tests, out: args.out });
    return;
  }
  const out: Record<SloArgs["format"], () => string> = {
    table: () => renderSloTable(set),
    json: () => renderSloJson(set),
    markdown: () => renderSloMarkdown(set),
    openslo: () => renderOpenSlo(set, names, window),
    prometheus: () => renderPrometheusRules(set, names, args.metricPrefix),
    thresholds: () => renderThresholdsBlock(set.proposals),
  };
  process.stdout.write(out[args.format]());
  if (args.writeProfile) {
    await writeThresholdsIntoProfile(args.writeProfile, set.proposals);
    process.stderr.write(`wrote ${set.proposals.length} thresholds into ${args.writeProfile}\n`);
  }
}

export const sloCommand: CommandModule = {
  command: "slo <baseline>",
  describe: "propose SLO numbers (observational) from a baseline: objectives, error budget, alert rules",
  builder: (y: Argv) =>
    y
      .positional("baseline", { type: "string", demandOption: true })
      .option("headroom", { type: "number", default: 1.25, describe: "multiplier over the measured bound" })
      .option("target", {
        type: "number",
        default: 99.9,
        describe: "success target in percent, for the error budget",
      })
      .option("window", {
        type: "string",
        default: "28d",
        describe: "SLO window as OpenSLO writes it: a whole number and m h d w M Q Y, e.g. 28d, 4w, 1M",
      })
      .option("format", { choices: FORMATS, default: "table" as const, describe: "output format" })
      .option("metric-prefix", {
        type: "string",
        default: "benchline",
        describe: "Prometheus metric name prefix for queries and alerts",
      })
      .option("labels", {
        type: "string",
        describe: "Prometheus label matchers, e.g. service=orders,env=prod",
      })
      .option("metric", { type: "string", array: true, describe: "only these metrics, e.g. pubAck.p99" })
      .option("write-profile", {
        type: "string",
        describe: "write the thresholds into this profile file, in place",
      })
      .option("tests", {
        type: "string",
        array: true,
        describe:
          "replay these run results (result.json of a fault run, of a clean run; repeat --tests) through the rules: writes the rules and a promtool test file to --out, says when each alert fires; exit 1 when an outage fires nothing or an alert fires before any fault",
      })
      .option("out", {
        type: "string",
        describe: "with --tests: the directory for rules.yml and rules.test.yml",
      })
      .option("replay-step", {
        type: "string",
        default: "1m",
        describe:
          "with --tests: the Prometheus time one run second takes in the replay (1m: a 5 s outage fills the 5m burn window)",
      })
      .option("json", { type: "boolean", describe: "with --tests: the replay report as JSON" })
      .example("$0 slo baselines/staging-js-r3.json --format openslo", "OpenSLO v1 YAML")
      .example(
        "$0 slo baselines/ci-smoke.json --format prometheus --tests pause.json --out alerts",
        "alert rules, and a promtool test proving they fire on the outage of a pause run (benchline run profiles/pause.yaml --json > pause.json)",
      )
      .example(
        "$0 slo baselines/staging.json --format prometheus --labels service=orders",
        "burn-rate alert rules",
      )
      .epilogue("guide: docs/slo-and-alerts.md"),
  handler: (a) => slo(a as unknown as SloArgs),
};
