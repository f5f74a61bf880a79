/**
 * A `promtool test rules` file: per replayed run, its series as input_series and, at every step, which
 * alerts of each rule name fire (with their labels and annotations) and which stay silent. promtool
 * passing on it is Prometheus agreeing with what rule-eval.ts predicted. Pure.
 */
import { stringify } from "yaml";
import type { AlertTimeline, ReplaySeries } from "./rule-eval.js";

/** One replayed run. */
export interface RuleTestCase {
  name: string;
  series: ReplaySeries[];
  timelines: AlertTimeline[];
}

/** A duration as Prometheus reads it: whole seconds, else milliseconds. */
export function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `metric{a="b",le="0.1"}` in the series notation promtool reads. */
export function seriesSelector(s: Pick<ReplaySeries, "metric" | "labels">): string {
  const pairs = Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return pairs.length > 0 ? `${s.metric}{${pairs.join(",")}}` : s.metric;
}

export function renderRuleTests(
  rulesFile: string,
  groupOrder: string[],
  stepMs: number,
  cases: RuleTestCase[],
): string {
  const step = promDuration(stepMs);
  // One object per alert, reused at every step it fires: the YAML writer makes them anchors and aliases.
  const expected = new Map<AlertTimeline, object>();
  const expectedOf = (t: AlertTimeline) => {
    let e = expected.get(t);
    if (!e) {
      e = { exp_labels: t.labels, exp_annotations: t.rule.annotations };
      expected.set(t, e);
    }
    return e;
  };
  const tests = cases.map((c) => {
    const steps = c.series[0]?.values.length ?? 0;
    const byName = new Map<string, AlertTimeline[]>();
    for (const t of c.timelines) byName.set(t.rule.alert, [...(byName.get(t.rule.alert) ?? []), t]);
    const alertTests: object[] = [];
    for (let at = 0; at < steps; at++)
      for (const [alertname, timelines] of byName)
        alertTests.push({
          eval_time: promDuration(at * stepMs),
          alertname,
          exp_alerts: timelines.filter((t) => t.firing[at]).map(expectedOf),
        });
    return {
      name: c.name,
      interval: step,
      input_series: c.series.map((s) => ({ series: seriesSelector(s), values: s.values.join(" ") })),
      alert_rule_test: alertTests,
    };
  });
  // promtool takes a file's groups in map order unless told: the recording group must go first, as
  // rule-eval.ts assumes (Prometheus itself may run the alerts an evaluation behind the ratios).
  return stringify(
    { rule_files: [rulesFile], evaluation_interval: step, group_eval_order: groupOrder, tests },
    { lineWidth: 0 },
  );
}
