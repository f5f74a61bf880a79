/**
 * Prometheus alerting rules: multi-window, multi-burn-rate alerts on the error budget (the SRE workbook's
 * 14.4x/1h, 6x/6h, 3x/1d and 1x/3d, each with a short window of 1/12), and a rule per latency objective. Pure.
 */
import { stringify } from "yaml";
import { budgetFraction, type SloSet } from "./derive.js";
import { quantileOf, type SeriesNames } from "./prometheus-names.js";

/** [burn rate, long window, short window, severity] from the SRE workbook, chapter 5. */
export const BURN_WINDOWS: Array<[number, string, string, "page" | "ticket"]> = [
  [14.4, "1h", "5m", "page"],
  [6, "6h", "30m", "page"],
  [3, "1d", "2h", "ticket"],
  [1, "3d", "6h", "ticket"],
];

export function renderPrometheusRules(set: SloSet, names: SeriesNames, prefix: string): string {
  const service = set.source.profile;
  const budget = budgetFraction(set.errorBudget.targetPercent);
  const windows = [...new Set(BURN_WINDOWS.flatMap(([, long, short]) => [long, short]))];
  const ratio = (w: string) => `${prefix}:publish_error_ratio:rate${w}`;
  const recording = windows.map((w) => ({
    record: ratio(w),
    expr: `sum(rate(${names.publishErrors}${names.selector}[${w}])) / sum(rate(${names.published}${names.selector}[${w}]))`,
    ...(names.labels && {
      labels: Object.fromEntries(
        names.labels.split(",").map((p) => p.split("=").map((s) => s.replace(/"/g, "")) as [string, string]),
      ),
    }),
  }));
  const burn = BURN_WINDOWS.map(([rate, long, short, severity]) => ({
    alert: `${pascal(service)}ErrorBudgetBurn`,
    expr: `${ratio(long)} > (${rate} * ${round(budget)}) and ${ratio(short)} > (${rate} * ${round(budget)})`,
    labels: { severity, burn_rate: String(rate), long_window: long },
    annotations: {
      summary: `${service}: publish errors burn the ${set.errorBudget.targetPercent}% budget ${rate}x too fast (${long} and ${short} windows)`,
      description: `Observational budget derived by benchline from ${set.source.file}: ${set.errorBudget.text}.`,
    },
  }));
  const latency = set.proposals
    .filter((p) => p.kind === "latency")
    .map((p) => {
      const [kind, stat] = p.metric.split(".") as [string, string];
      return {
        alert: `${pascal(service)}${pascal(p.metric)}AboveObjective`,
        expr: `histogram_quantile(${quantileOf(stat)}, sum by (le) (rate(${names.latencyBucket(kind)}${names.selector}[5m]))) > ${round(p.objective / 1e6)}`,
        for: "10m",
        labels: { severity: "ticket" },
        annotations: {
          summary: `${service}: ${p.metric} above its objective of ${p.objective} us`,
          description: `Observational objective derived by benchline: ${p.derivation.text}.`,
        },
      };
    });
  const doc = {
    groups: [
      { name: `${service}-benchline-slo-recording`, rules: recording },
      { name: `${service}-benchline-slo-alerts`, rules: [...burn, ...latency] },
    ],
  };
  return stringify(doc, { lineWidth: 0 });
}

const pascal = (s: string) =>
  s
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

const round = (v: number) => Number(v.toPrecision(6));
