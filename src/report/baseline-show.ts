/** `baseline show`: medians and spreads per metric, the environment, the age. Pure. */
import Table from "cli-table3";
import type { Baseline } from "../baseline/format.js";
import { baselineControl, CONTROL_NAME } from "../baseline/machine-control.js";
import { median } from "../baseline/stats.js";
import type { MetricSpread } from "../baseline/summary.js";
import { seriesLateSendWarnings } from "../engine/warnings.js";
import { counted } from "../util/plural.js";
import { formatMetric } from "./format-metric.js";
import { formatDetectRuns, formatResolution, resolutionNote } from "./resolution-lines.js";

function age(createdAt: string, now: Date): string {
  const hours = (now.getTime() - new Date(createdAt).getTime()) / 3_600_000;
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} minutes`;
  if (hours < 48) return `${Math.round(hours)} hours`;
  return `${Math.round(hours / 24)} days`;
}

export function renderBaselineShow(b: Baseline, spreads: MetricSpread[], now: Date): string {
  const res = spreads.find((s) => s.resolution)?.resolution;
  const detect = res?.detect?.change;
  const t = new Table({
    head: [
      "metric",
      "median",
      "min",
      "max",
      "IQR",
      ...(res ? [`resolution (${res.candidateRuns} candidates)`] : []),
      ...(detect !== undefined ? [`runs for ${(detect * 100).toFixed(1)}%`] : []),
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const s of spreads) {
    const f = (v: number) => formatMetric(s.metric, v);
    t.push([
      s.metric,
      f(s.median),
      f(s.min),
      f(s.max),
      `${f(s.iqrLow)} .. ${f(s.iqrHigh)}`,
      ...(res ? [formatResolution(s.resolution)] : []),
      ...(detect !== undefined ? [formatDetectRuns(s.resolution)] : []),
    ]);
  }
  const e = b.env;
  return [
    `baseline ${b.profile.name}: ${counted(b.runs.length, "run")}, recorded ${b.createdAt} (${age(b.createdAt, now)} ago) by benchline ${b.benchline}`,
    `environment: ${e.host}, ${e.cpus} CPUs, Node ${e.node}, ${e.client}, nats-server ${e.serverVersion ?? "unknown"}${e.clusterSize > 1 ? ` x${e.clusterSize}` : ""}${e.embeddedServer ? " (embedded)" : ""}${e.gitSha ? `, git ${e.gitSha.slice(0, 10)}` : ""}`,
    `profile hash: ${b.profileHash}`,
    t.toString(),
    ...(res ? [resolutionNote(res.power, detect)] : []),
    controlLine(b),
    ...seriesLateSendWarnings(b.runs, "run").map((w) => `warning: ${w}`),
    "",
  ].join("\n");
}

/** What the machine control reads in the baseline's runs, or why a compare will not adjust for it. */
function controlLine(b: Baseline): string {
  const c = baselineControl(b.profile, b.runs);
  if (!("values" in c)) return `machine control: none, latency will be compared as measured (${c.reason})`;
  const us = (v: number) => `${v.toFixed(1)} us`;
  return `machine control: ${CONTROL_NAME} ${us(median(c.values))} (${us(Math.min(...c.values))} to ${us(Math.max(...c.values))} over the runs); a compare calls latency up to p95 regressed only when it is so both as measured and at the baseline's machine speed`;
}
