/**
 * `benchline slo BASELINE --format prometheus --tests RESULT... --out DIR`: the rules, replayed over
 * runs. Writes DIR/rules.yml and DIR/rules.test.yml (for `promtool test rules`), prints when each alert
 * fires on each run, and fails (exit 1) when a run's outage fires nothing or an alert fires before any
 * fault.
 */
import { join } from "node:path";
import { UsageError, VerdictFailed } from "../errors.js";
import { readRunResult } from "../report/documents.js";
import { proveAlerts } from "../slo/alert-proof.js";
import type { SloSet } from "../slo/derive.js";
import type { SeriesNames } from "../slo/prometheus-names.js";
import { buildRules, renderRulesYaml, type SloRules } from "../slo/prometheus-rules.js";
import { renderProofJson, renderProofTable } from "../slo/render-proof.js";
import { promDurationMs } from "../slo/rule-eval.js";
import { renderRuleTests } from "../slo/rule-tests.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { parseDurationMs } from "../util/units.js";

export interface ProveArgs {
  tests: string[];
  out: string;
  replayStep: string;
  metricPrefix: string;
  json?: boolean;
}

/** The shortest window any rule reads: rate() needs two samples in it, so a step may be half of it. */
function shortestWindowMs(rules: SloRules): number {
  const windows = [
    ...rules.recording.map((r) => r.window),
    ...rules.alerts.flatMap((a) => (a.condition.kind === "quantile" ? [a.condition.window] : [])),
  ];
  return Math.min(...windows.map(promDurationMs));
}

function replayStepMs(text: string, rules: SloRules): number {
  const stepMs = parseDurationMs(text, "--replay-step");
  const shortest = shortestWindowMs(rules);
  if (!Number.isInteger(stepMs) || stepMs < 1000 || stepMs > shortest / 2)
    throw new UsageError(
      `--replay-step ${text}: give whole milliseconds from 1s to ${shortest / 2000}s (half the rules' shortest window, so rate() sees two samples in it)`,
    );
  return stepMs;
}

/** "labels" of the selector as a record: service="orders",env="prod" -> { service: "orders", env: "prod" }. */
function labelRecord(names: SeriesNames): Record<string, string> {
  return Object.fromEntries(
    [...names.labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
}

export async function proveRules(set: SloSet, names: SeriesNames, args: ProveArgs): Promise<void> {
  const rules = buildRules(set, names, args.metricPrefix);
  const stepMs = replayStepMs(args.replayStep, rules);
  const results = await Promise.all(args.tests.map((f) => readRunResult(f, "--tests result")));
  const work = results.map((r, i) =>
    proveAlerts(r, args.tests[i]!, { rules, names, labels: labelRecord(names), stepMs }),
  );
  const rulesFile = join(args.out, "rules.yml");
  const testsFile = join(args.out, "rules.test.yml");
  await writeFileAtomic(rulesFile, renderRulesYaml(rules));
  await writeFileAtomic(
    testsFile,
    renderRuleTests(
      "rules.yml",
      [rules.recordingGroup, rules.alertGroup],
      stepMs,
      work.map((w) => ({ name: w.proof.file, series: w.series, timelines: w.timelines })),
    ),
  );
  const report = {
    rulesFile,
    testsFile,
    replayStepS: stepMs / 1000,
    runs: work.map((w) => w.proof),
    passed: work.every((w) => w.proof.passed),
  };
  process.stdout.write(args.json ? renderProofJson(report) : renderProofTable(report));
  const failed = report.runs.filter((p) => !p.passed);
  if (failed.length > 0)
    throw new VerdictFailed(
      `the rules failed on ${failed.length} of ${report.runs.length} runs: ${failed.map((p) => `${p.file}: ${p.verdict}`).join("; ")}`,
    );
}
