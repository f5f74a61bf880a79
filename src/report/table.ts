/** The terminal summary of a run. Pure: (result) => string. */
import Table from "cli-table3";
import { describeErrorCounts } from "../contract/error-kinds.js";
import type { LatencyBlock } from "../contract/latency.js";
import { describeRefusal } from "../contract/permissions.js";
import { wholeLoad } from "../contract/profile.js";
import type { RunResult } from "../contract/result.js";
import { expectsAcks, LOSS_TERMS, notConsumedLabel, unacknowledged } from "../engine/loss.js";
import { formatBytes, formatCount, formatUs } from "../util/units.js";
import { formatMetric } from "./format-metric.js";
import { generatorLine } from "./generator-line.js";
import { resilienceRows } from "./resilience-rows.js";
import { serverConfigLine } from "./server-config-line.js";
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

/**
 * The throughput rows a run has: published and consumed where it had publishers or consumers,
 * operations where it had KV, Object Store or direct get clients (whose rate is not "published").
 */
export function throughputRoles(result: RunResult): { published: boolean; consumed: boolean; ops: boolean } {
  const load = wholeLoad(result.profile);
  const ops = result.throughput.opsPerSec !== undefined;
  const published = load.publishers.length > 0 || !ops;
  return { published, consumed: load.consumers.length > 0 || !ops, ops };
}

/**
 * A throughput row's name. A drain's consumed rate is over the measured phase, which ends when the
 * coordinator sees the backlog gone; the drain rate beside it is over the time to the last message.
 */
export function throughputLabel(result: RunResult, role: "published" | "consumed"): string {
  return role === "consumed" && result.drain ? `consumed, over the ${result.measuredS} s measured` : role;
}

export function renderTable(result: RunResult): string {
  const th = result.throughput;
  const c = result.counts;
  const head = `benchline run ${result.profile.name}: ${result.complete ? "complete" : `INCOMPLETE (${result.abortReason})`}, ${result.measuredS}s measured, ${result.env.serverVersion ? `nats-server ${result.env.serverVersion}` : "server version unknown"}${result.env.clusterSize > 1 ? ` x${result.env.clusterSize}` : ""}`;
  const roles = throughputRoles(result);
  const tput = new Table({
    head: ["throughput", roles.ops ? "per second" : "msgs/s", "bytes/s"],
    style: plain,
  });
  if (roles.published)
    tput.push(["published", formatCount(th.publishedPerSec), `${formatBytes(th.publishedBytesPerSec)}/s`]);
  if (roles.consumed)
    tput.push([
      throughputLabel(result, "consumed"),
      formatCount(th.consumedPerSec),
      `${formatBytes(th.consumedBytesPerSec)}/s`,
    ]);
  if (roles.ops)
    tput.push([
      "operations succeeded",
      formatCount(th.opsPerSec ?? 0),
      `${formatBytes((th.readBytesPerSec ?? 0) + (th.writtenBytesPerSec ?? 0))}/s`,
    ]);
  const errors = describeErrorCounts(c.publishErrors) || "0";
  const counts = new Table({ head: ["counts (whole run)", ""], style: plain });
  // A consume-only run (a drain) sent nothing: rows about what was sent would count what did not happen.
  const publishes = wholeLoad(result.profile).publishers.length > 0;
  counts.push(
    ...(publishes ? [["published", String(c.published)]] : []),
    // Core publishes are never acknowledged: a count of acks there would count what did not happen.
    ...(expectsAcks(result)
      ? [
          ["acked", String(c.acked)],
          [LOSS_TERMS.unacknowledged, String(unacknowledged(c))],
        ]
      : []),
    ["consumed", String(c.consumed)],
    ...(publishes
      ? [
          [notConsumedLabel(result), String(c.lost)],
          ["duplicates / redeliveries", `${c.duplicates} / ${c.redeliveries}`],
          ["publish errors", errors],
          ["late sends (> 2 ms) / never sent", `${c.lateSends} / ${c.unsent}`],
        ]
      : [["duplicates / redeliveries", `${c.duplicates} / ${c.redeliveries}`]]),
  );
  if (c.permissionViolations) counts.push(["permission violations", String(c.permissionViolations)]);
  for (const r of c.permissionRefusals ?? []) counts.push([`  refused ${r.operation}`, describeRefusal(r)]);
  if (c.lostAcked !== undefined) counts.push([LOSS_TERMS.gone, String(c.lostAcked)]);
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
  const serverConfig = serverConfigLine(result.env);
  if (serverConfig) parts.push(serverConfig);
  for (const w of result.warnings) parts.push(`warning: ${w}`);
  for (const n of result.e2eUnmeasured ?? []) parts.push(`e2e not measured: ${n}`);
  return `${parts.join("\n")}\n`;
}
