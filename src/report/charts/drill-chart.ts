/**
 * The drill's timeline beside the fault shading: per alert a row, pending then firing as bars along the
 * run's time base (seconds from the start of the measured phase), markers where Alertmanager held it,
 * the webhook got it and it resolved.
 */
import type { RunResult } from "../../contract/result.js";
import type { DrillResult } from "../../drill/result.js";
import { faultBands, phaseBands, TIME_AXIS } from "./run-charts.js";
import { axisTitle, baseOptions, type ChartSpec } from "./spec.js";

const STAGES = [
  { key: "routedMs", label: "in Alertmanager", colour: "#9467bd", style: "triangle" },
  { key: "notifiedMs", label: "notified (webhook)", colour: "#2ca02c", style: "rectRot" },
  { key: "resolvedMs", label: "resolved", colour: "#1f77b4", style: "crossRot" },
] as const;

export function drillChart(result: RunResult, drill: DrillResult): ChartSpec | undefined {
  const alerts = drill.alerts.filter((a) => a.pendingMs !== undefined || a.expected);
  if (alerts.length === 0) return undefined;
  const originS = drill.fault?.atS ?? 0;
  const at = (ms: number | undefined) => (ms === undefined ? undefined : originS + ms / 1000);
  const endS = (result.intervals.at(-1)?.t ?? 0) - result.profile.warmupMs / 1000;
  const segment = (
    label: string,
    colour: string,
    width: number,
    from: (i: number) => number | undefined,
    to: (i: number) => number | undefined,
  ) => ({
    type: "line" as const,
    label,
    borderColor: colour,
    backgroundColor: colour,
    borderWidth: width,
    pointRadius: 0,
    spanGaps: false,
    data: alerts.flatMap((_a, i) => {
      const a = from(i);
      const b = to(i);
      return a === undefined || b === undefined
        ? []
        : [
            { x: a, y: i },
            { x: b, y: i },
            { x: b, y: Number.NaN },
          ];
    }),
  });
  const firing = (i: number) => at(alerts[i]!.firingMs);
  const datasets = [
    segment(
      "pending",
      "#ff7f0e",
      6,
      (i) => at(alerts[i]!.pendingMs),
      (i) => firing(i) ?? Math.max(endS, 0),
    ),
    segment(
      "firing",
      "#d62728",
      12,
      firing,
      (i) => at(alerts[i]!.resolvedMs) ?? (firing(i) === undefined ? undefined : endS),
    ),
    ...STAGES.map((s) => ({
      type: "scatter" as const,
      label: s.label,
      borderColor: s.colour,
      backgroundColor: s.colour,
      pointStyle: s.style,
      pointRadius: 8,
      data: alerts.flatMap((a, i) => {
        const x = at(a[s.key]);
        return x === undefined ? [] : [{ x, y: i }];
      }),
    })),
  ];
  const first = result.intervals[0];
  const minS = first ? first.t - 1 - result.profile.warmupMs / 1000 : 0;
  const title = `Alert drill: ${result.profile.name}`;
  const subtitle = `${drill.rules}; times from fault ${drill.fault?.name ?? "(none)"}`;
  return {
    name: "drill-timeline",
    title,
    config: {
      type: "line",
      data: { datasets },
      options: {
        ...baseOptions(title, subtitle),
        scales: {
          x: {
            type: "linear",
            min: minS,
            max: Math.max(endS, ...datasets.flatMap((d) => d.data.map((p) => p.x))),
            title: axisTitle(TIME_AXIS),
          },
          y: {
            type: "category",
            labels: alerts.map((a) => a.name),
            offset: true,
            title: axisTitle("alert"),
          },
        },
        plugins: {
          ...baseOptions(title, subtitle).plugins,
          benchline: { bands: [...phaseBands(result), ...faultBands(result)] },
        },
      },
    },
  };
}
