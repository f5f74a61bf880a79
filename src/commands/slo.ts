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
import { parseDurationMs } from "../util/units.js";

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
}

async function slo(args: SloArgs): Promise<void> {
  const windowMs = parseDurationMs(args.window, "--window");
  if (windowMs <= 0) throw new UsageError("--window must be above zero, e.g. 28d");
  const baseline = await readBaseline(args.baseline);
  const set = deriveSlos(baseline, args.baseline, {
    headroom: args.headroom,
    targetPercent: args.target,
    windowS: windowMs / 1000,
    metrics: args.metric,
  });
  const names = seriesNames(args.metricPrefix, parseLabels(args.labels));
  const out: Record<SloArgs["format"], () => string> = {
    table: () => renderSloTable(set),
    json: () => renderSloJson(set),
    markdown: () => renderSloMarkdown(set),
    openslo: () => renderOpenSlo(set, names, args.window),
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
      .option("window", { type: "string", default: "28d", describe: "SLO window, e.g. 28d, 7d" })
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
      .example("$0 slo baselines/staging-js-r3.json --format openslo", "OpenSLO v1 YAML")
      .example(
        "$0 slo baselines/staging.json --format prometheus --labels service=orders",
        "burn-rate alert rules",
      ),
  handler: (a) => slo(a as unknown as SloArgs),
};
