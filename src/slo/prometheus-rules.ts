/**
 * Prometheus rules for a set of SLOs: multi-window, multi-burn-rate alerts (the SRE workbook's 14.4x/1h,
 * 6x/6h, 3x/1d and 1x/3d, each with a short window of 1/12) on the publish error budget and on the
 * budget of each tail latency objective, and a threshold alert per latency objective. Built as data
 * first (`buildRules`), so the YAML and the replay that proves the alerts fire (rule-eval.ts) read the
 * same rules. Pure.
 */
import { stringify } from "yaml";
import { LATENCY_BUCKETS_S } from "../metrics/histogram.js";
import { budgetFraction, type SloProposal, type SloSet } from "./derive.js";
import { quantileOf, type SeriesNames, snakeKind } from "./prometheus-names.js";

/** [burn rate, long window, short window, severity] from the SRE workbook, chapter 5. */
export const BURN_WINDOWS: Array<[number, string, string, "page" | "ticket"]> = [
  [14.4, "1h", "5m", "page"],
  [6, "6h", "30m", "page"],
  [3, "1d", "2h", "ticket"],
  [1, "3d", "6h", "ticket"],
];

/** The window of the latency threshold alerts' rate(), and how long they must hold. */
export const LATENCY_ALERT_WINDOW = "5m";
export const LATENCY_ALERT_FOR = "10m";

/**
 * Latency objectives at or above this quantile get budget burn alerts: a p99 objective leaves 1% of
 * publishes to be slower, a budget small enough for the workbook's burn rates to mean something (at
 * p50 even 1x would need half the publishes slow).
 */
export const BURN_MIN_QUANTILE = 0.99;

/** Series a ratio reads: every series of a metric (the selector's labels), or one `le` bucket of it. */
export interface SeriesRef {
  metric: string;
  le?: string;
}

/** A recording rule: bad events over all events in one window, each side a sum of rate()s. */
export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
  window: string;
  /** `numerator / denominator`, or `1 - numerator / denominator` when the numerator counts good events. */
  numerator: SeriesRef;
  denominator: SeriesRef;
  complement: boolean;
}

/** When an alert's expression holds. */
export type AlertCondition =
  | {
      /** Both recorded ratios above `threshold` (rate x budget); `labels` pick the recorded series. */
      kind: "burn";
      long: string;
      short: string;
      labels: Record<string, string>;
      threshold: number;
    }
  | {
      /** histogram_quantile(q) of the buckets' rate() over `window` above `aboveS` seconds. */
      kind: "quantile";
      bucket: string;
      q: number;
      window: string;
      aboveS: number;
    };

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  condition: AlertCondition;
}

export interface SloRules {
  recordingGroup: string;
  alertGroup: string;
  recording: RecordingRule[];
  alerts: AlertRule[];
}

/** The smallest exported `le` bound at or above an objective, as the label reads; none above 60 s. */
export function bucketAtOrAbove(objectiveUs: number): string | undefined {
  const le = LATENCY_BUCKETS_S.find((s) => s * 1e6 >= objectiveUs * (1 - 1e-12));
  return le === undefined ? undefined : String(le);
}

export function buildRules(set: SloSet, names: SeriesNames, prefix: string): SloRules {
  const service = set.source.profile;
  const budget = round(budgetFraction(set.errorBudget.targetPercent));
  const windows = [...new Set(BURN_WINDOWS.flatMap(([, long, short]) => [long, short]))];
  const extraLabels = parseSelectorLabels(names.labels);
  const selector = (...more: string[]) => {
    const all = [names.labels, ...more].filter(Boolean).join(",");
    return all ? `{${all}}` : "";
  };
  const errorRatio = (w: string) => `${prefix}:publish_error_ratio:rate${w}`;
  const recording: RecordingRule[] = windows.map((w) => ({
    record: errorRatio(w),
    expr: `sum(rate(${names.publishErrors}${selector()}[${w}])) / sum(rate(${names.published}${selector()}[${w}]))`,
    labels: extraLabels,
    window: w,
    numerator: { metric: names.publishErrors },
    denominator: { metric: names.published },
    complement: false,
  }));
  const alerts: AlertRule[] = BURN_WINDOWS.map(([rate, long, short, severity]) => ({
    alert: `${pascal(service)}ErrorBudgetBurn`,
    expr: `${errorRatio(long)} > (${rate} * ${budget}) and ${errorRatio(short)} > (${rate} * ${budget})`,
    labels: { severity, burn_rate: String(rate), long_window: long },
    annotations: {
      summary: `${service}: publish errors burn the ${set.errorBudget.targetPercent}% budget ${rate}x too fast (${long} and ${short} windows)`,
      description: `Observational budget derived by benchline from ${set.source.file}: ${set.errorBudget.text}.`,
    },
    condition: {
      kind: "burn",
      long: errorRatio(long),
      short: errorRatio(short),
      labels: {},
      threshold: rate * budget,
    },
  }));
  const latency = set.proposals.filter((p) => p.kind === "latency");
  for (const p of latency.filter((p) => quantileOf(statOf(p)) >= BURN_MIN_QUANTILE)) {
    const le = bucketAtOrAbove(p.objective);
    if (le === undefined) continue;
    const kind = kindOf(p);
    const bucket = names.latencyBucket(kind);
    const slowBudget = round(1 - quantileOf(statOf(p)));
    const slowRatio = (w: string) => `${prefix}:${snakeKind(kind)}_slow_ratio:rate${w}`;
    const objective = { objective: p.metric };
    for (const w of windows)
      recording.push({
        record: slowRatio(w),
        expr: `1 - sum(rate(${bucket}${selector(`le="${le}"`)}[${w}])) / sum(rate(${bucket}${selector('le="+Inf"')}[${w}]))`,
        labels: { ...extraLabels, ...objective },
        window: w,
        numerator: { metric: bucket, le },
        denominator: { metric: bucket, le: "+Inf" },
        complement: true,
      });
    const match = `{objective="${p.metric}"}`;
    for (const [rate, long, short, severity] of BURN_WINDOWS) {
      if (rate * slowBudget >= 1) continue; // a ratio of events cannot pass 1: the alert could never fire
      alerts.push({
        alert: `${pascal(service)}${pascal(p.metric)}BudgetBurn`,
        expr: `${slowRatio(long)}${match} > (${rate} * ${slowBudget}) and ${slowRatio(short)}${match} > (${rate} * ${slowBudget})`,
        labels: { severity, burn_rate: String(rate), long_window: long },
        annotations: {
          summary: `${service}: publishes slower than ${le} s burn the ${p.metric} budget (${round(slowBudget * 100)}% of them) ${rate}x too fast (${long} and ${short} windows)`,
          description: `Observational objective derived by benchline: ${p.metric} <= ${p.objective} us, read at the histogram bucket le=${le}, the nearest at or above it; ${p.derivation.text}.`,
        },
        condition: {
          kind: "burn",
          long: slowRatio(long),
          short: slowRatio(short),
          labels: objective,
          threshold: rate * slowBudget,
        },
      });
    }
  }
  for (const p of latency) {
    const kind = kindOf(p);
    const q = quantileOf(statOf(p));
    const aboveS = round(p.objective / 1e6);
    alerts.push({
      alert: `${pascal(service)}${pascal(p.metric)}AboveObjective`,
      expr: `histogram_quantile(${q}, sum by (le) (rate(${names.latencyBucket(kind)}${selector()}[${LATENCY_ALERT_WINDOW}]))) > ${aboveS}`,
      for: LATENCY_ALERT_FOR,
      labels: { severity: "ticket" },
      annotations: {
        summary: `${service}: ${p.metric} above its objective of ${p.objective} us`,
        description: `Observational objective derived by benchline: ${p.derivation.text}.`,
      },
      condition: {
        kind: "quantile",
        bucket: names.latencyBucket(kind),
        q,
        window: LATENCY_ALERT_WINDOW,
        aboveS,
      },
    });
  }
  return {
    recordingGroup: `${service}-benchline-slo-recording`,
    alertGroup: `${service}-benchline-slo-alerts`,
    recording,
    alerts,
  };
}

/** The rules file Prometheus loads: the recording group first, so the alerts read this evaluation's ratios. */
export function renderRulesYaml(rules: SloRules): string {
  const doc = {
    groups: [
      {
        name: rules.recordingGroup,
        rules: rules.recording.map((r) => ({
          record: r.record,
          expr: r.expr,
          ...(Object.keys(r.labels).length > 0 && { labels: r.labels }),
        })),
      },
      {
        name: rules.alertGroup,
        rules: rules.alerts.map((a) => ({
          alert: a.alert,
          expr: a.expr,
          ...(a.for && { for: a.for }),
          labels: a.labels,
          annotations: a.annotations,
        })),
      },
    ],
  };
  return stringify(doc, { lineWidth: 0 });
}

export function renderPrometheusRules(set: SloSet, names: SeriesNames, prefix: string): string {
  return renderRulesYaml(buildRules(set, names, prefix));
}

/** `service="orders",env="prod"` -> { service: "orders", env: "prod" } */
function parseSelectorLabels(labels: string): Record<string, string> {
  if (!labels) return {};
  return Object.fromEntries(
    labels.split(",").map((p) => p.split("=").map((s) => s.replace(/"/g, "")) as [string, string]),
  );
}

const kindOf = (p: SloProposal) => p.metric.split(".")[0]!;
const statOf = (p: SloProposal) => p.metric.split(".")[1]!;

const pascal = (s: string) =>
  s
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

const round = (v: number) => Number(v.toPrecision(6));
