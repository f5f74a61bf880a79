/**
 * OpenSLO v1 YAML: the Service, one SLO document per proposal and one for the error budget, each SLO
 * naming the Service by its metadata.name. Pure.
 */
import { stringify } from "yaml";
import { type SloSet, targetFraction } from "./derive.js";
import { ANNOTATION_PREFIX, openSloName } from "./openslo-names.js";
import { quantileOf, type SeriesNames } from "./prometheus-names.js";
import type { SloWindow } from "./window.js";

export function renderOpenSlo(set: SloSet, names: SeriesNames, window: SloWindow): string {
  const profile = set.source.profile;
  const service = openSloName(profile);
  const target = targetFraction(set.errorBudget.targetPercent);
  const annotations = {
    [`${ANNOTATION_PREFIX}observational`]: "true",
    [`${ANNOTATION_PREFIX}source`]: `${set.source.file} (${set.source.runs} runs, recorded ${set.source.createdAt})`,
  };
  const timeWindow = [{ duration: window.text, isRolling: true }];
  const serviceDoc = {
    apiVersion: "openslo/v1",
    kind: "Service",
    metadata: { name: service, displayName: profile, annotations },
    spec: { description: `What benchline's profile ${profile} puts load on.` },
  };
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
        name: openSloName(profile, p.metric),
        displayName: `${profile} ${p.metric}`,
        annotations: { ...annotations, [`${ANNOTATION_PREFIX}derivation`]: p.derivation.text },
      },
      spec: {
        description: `Observational objective derived by benchline: ${p.derivation.text}.`,
        service,
        indicator: {
          metadata: { name: openSloName(profile, `${p.metric}-sli`) },
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
      name: openSloName(profile, "publish-success"),
      displayName: `${profile} publish success`,
      annotations: { ...annotations, [`${ANNOTATION_PREFIX}derivation`]: set.errorBudget.text },
    },
    spec: {
      description: `Error budget: ${set.errorBudget.allowedBadEvents} failed publishes allowed per ${window.text} at the baseline's rate (${set.errorBudget.text}).`,
      service,
      indicator: {
        metadata: { name: openSloName(profile, "publish-success-sli") },
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
  return [serviceDoc, ...docs].map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}
