/** The terminal summary of a run. Pure: (result) => string. */
import Table from "cli-table3";
import type { RunResult } from "../engine/result.js";
import type { LatencyBlock } from "../metrics/histogram.js";
import { formatBytes, formatCount, formatUs } from "../util/units.js";
import { formatMetric } from "./format-metric.js";
import { generatorLine } from "./generator-line.js";
import { resilienceRows } from "./resilience-rows.js";
import { tenantRows } from "./tenant-rows.js";
import { workloadSections } from "./workload-rows.js";

const plain = { head: [], border: [], compact: true };

export function renderLatencyTable(latency: RunResult["latency"]): string {
  const t = new Table({
    head: ["latency", "count", "min", "p50", "p90", "p99", "p99.9", "p99.99", "max"],
    style: plain,
  });
  for (const [kind, b] of Object.entries(latency) as Array<[string, LatencyBlock]>) {
    t.push([
      kind,
      String(b.count),
      ...[b.minUs, b.p50Us, b.p90Us, b.p99Us, b.p999Us, b.p9999Us, b.maxUs].map(formatUs),
    ]);
  }
  return t.toString();
}

export function renderTable(result: RunResult): string {
  const th = result.throughput;
  const c = result.counts;
  const head = `benchline run ${result.profile.name}: ${result.complete ? "complete" : `INCOMPLETE (${result.abortReason})`}, ${result.measuredS}s measured, ${result.env.serverVersion ? `nats-server ${result.env.serverVersion}` : "server version unknown"}${result.env.clusterSize > 1 ? ` x${result.env.clusterSize}` : ""}`;
  const tput = new Table({ head: ["throughput", "msgs/s", "bytes/s"], style: plain });
  tput.push(["published", formatCount(th.publishedPerSec), `${formatBytes(th.publishedBytesPerSec)}/s`]);
  tput.push(["consumed", formatCount(th.consumedPerSec), `${formatBytes(th.consumedBytesPerSec)}/s`]);
  const errors =
    Object.entries(c.publishErrors)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "0";
  const counts = new Table({ head: ["counts (whole run)", ""], style: plain });
  counts.push(
    ["published", String(c.published)],
    ["acked", String(c.acked)],
    ["consumed", String(c.consumed)],
    ["lost", String(c.lost)],
    ["duplicates / redeliveries", `${c.duplicates} / ${c.redeliveries}`],
    ["publish errors", errors],
    ["late sends (> 2 ms) / never sent", `${c.lateSends} / ${c.unsent}`],
  );
  if (c.permissionViolations) counts.push(["permission violations", String(c.permissionViolations)]);
  if (c.lostAcked !== undefined) counts.push(["acknowledged, then lost", String(c.lostAcked)]);
  const parts = [head, tput.toString()];
  if (Object.keys(result.latency).length > 0) parts.push(renderLatencyTable(result.latency));
  parts.push(counts.toString());
  for (const section of workloadSections(result)) {
    const t = new Table({ head: section.head, style: plain });
    t.push(...section.rows);
    parts.push(t.toString());
  }
  const tenants = tenantRows(result);
  if (tenants) {
    const t = new Table({ head: tenants.head, style: plain });
    t.push(...tenants.rows);
    parts.push(t.toString());
  }
  const resilience = resilienceRows(result);
  if (resilience) {
    const t = new Table({ head: resilience.head, style: plain });
    t.push(...resilience.rows);
    parts.push(t.toString());
    if (resilience.loss) parts.push(resilience.loss);
  }
  if (result.thresholds.length > 0) {
    const t = new Table({ head: ["threshold", "limit", "actual", ""], style: plain });
    for (const c of result.thresholds)
      t.push([c.metric, c.text, formatMetric(c.metric, c.actual), c.passed ? "pass" : "BREACHED"]);
    parts.push(t.toString());
  }
  const generator = generatorLine(result);
  if (generator) parts.push(generator);
  for (const w of result.warnings) parts.push(`warning: ${w}`);
  for (const n of result.e2eUnmeasured ?? []) parts.push(`e2e not measured: ${n}`);
  return `${parts.join("\n")}\n`;
}
