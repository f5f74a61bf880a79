/** OpenSLO v1 YAML: one SLO document per proposal and one for the error budget. Pure. */
import { stringify } from "yaml";
import { type SloSet, targetFraction } from "./derive.js";
import { quantileOf, type SeriesNames } from "./prometheus-names.js";

const slug = (s: string) =>
  s
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();

export function renderOpenSlo(set: SloSet, names: SeriesNames, windowText: string): string {
  const service = set.source.profile;
  const target = targetFraction(set.errorBudget.targetPercent);
  const annotations = {
    "benchline/observational": "true",
    "benchline/source": `${set.source.file} (${set.source.runs} runs, recorded ${set.source.createdAt})`,
  };
  const timeWindow = [{ duration: windowText, isRolling: true }];
  const docs: object[] = set.proposals.map((p) => {
    const [kind, stat] = p.metric.split(".") as [string, string];
    const query =
      p.kind === "latency"
        ? `histogram_quantile(${quantileOf(stat)}, sum by (le) (rate(${names.latencyBucket(kind)}${names.selector}[5m])))`
        : `sum(rate(${names.published}${names.selector}[1m]))`;
    return {
      apiVersion: "openslo/v1",
      kind: "SLO",
      metadata: {
        name: slug(`${service}-${p.metric}`),
        displayName: `${service} ${p.metric}`,
        annotations: { ...annotations, "benchline/derivation": p.derivation.text },
      },
      spec: {
        description: `Observational objective derived by benchline: ${p.derivation.text}.`,
        service,
        indicator: {
          metadata: { name: slug(`${service}-${p.metric}-sli`) },
          spec: { thresholdMetric: { metricSource: { type: "Prometheus", spec: { query } } } },
        },
        timeWindow,
        budgetingMethod: "Timeslices",
        objectives: [
          {
            displayName: `${p.metric} ${p.op} ${p.objective}${p.kind === "latency" ? " us" : " msgs/s"}`,
            op: p.op === "<=" ? "lte" : "gte",
            // OpenSLO thresholds are in the query's unit: seconds for latency.
            value: p.kind === "latency" ? p.objective / 1e6 : p.objective,
            target,
            timeSliceTarget: target,
            timeSliceWindow: "1m",
          },
        ],
      },
    };
  });
  docs.push({
    apiVersion: "openslo/v1",
    kind: "SLO",
    metadata: {
      name: slug(`${service}-publish-success`),
      displayName: `${service} publish success`,
      annotations: { ...annotations, "benchline/derivation": set.errorBudget.text },
    },
    spec: {
      description: `Error budget: ${set.errorBudget.allowedBadEvents} failed publishes allowed per ${windowText} at the baseline's rate (${set.errorBudget.text}).`,
      service,
      indicator: {
        metadata: { name: slug(`${service}-publish-success-sli`) },
        spec: {
          ratioMetric: {
            counter: true,
            bad: {
              metricSource: {
                type: "Prometheus",
                spec: { query: `sum(rate(${names.publishErrors}${names.selector}[1m]))` },
              },
            },
            total: {
              metricSource: {
                type: "Prometheus",
                spec: { query: `sum(rate(${names.published}${names.selector}[1m]))` },
              },
            },
          },
        },
      },
      timeWindow,
      budgetingMethod: "Occurrences",
      objectives: [{ displayName: `${set.errorBudget.targetPercent}% of publishes succeed`, target }],
    },
  });
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}
