/** summary.md of a run. Pure: (result) => string. */
import { describeErrorCounts } from "../contract/error-kinds.js";
import type { LatencyBlock } from "../contract/latency.js";
import { describeRefusal } from "../contract/permissions.js";
import type { RunResult } from "../contract/result.js";
import { expectsAcks, LOSS_TERMS, notConsumedLabel, unacknowledged } from "../engine/loss.js";
import { formatBytes, formatCount, formatUs } from "../util/units.js";
import { formatMetric } from "./format-metric.js";
import { generatorLine } from "./generator-line.js";
import { resilienceRows } from "./resilience-rows.js";
import { serverConfigMarkdown } from "./server-config-line.js";
import { throughputLabel, throughputRoles } from "./table.js";
import { tenantRows } from "./tenant-rows.js";
import { workloadSections } from "./workload-rows.js";

const perSec = (bytes: number) => `${formatBytes(bytes)}/s`;

const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;

export function renderMarkdown(result: RunResult): string {
  const th = result.throughput;
  const c = result.counts;
  const generator = generatorLine(result);
  const roles = throughputRoles(result);
  const lines = [
    `# benchline run: ${result.profile.name}`,
    "",
    `${result.complete ? "Complete" : `**Incomplete**: ${result.abortReason}`}. Started ${result.startedAt}, ${result.measuredS} s measured` +
      ` against nats-server ${result.env.serverVersion ?? "(unknown)"}${result.env.clusterSize > 1 ? ` (${result.env.clusterSize} nodes)` : ""}` +
      ` from ${result.env.host} (${result.env.cpus} CPUs, Node ${result.env.node}, ${result.env.client}).`,
    ...(generator ? ["", `${generator[0]!.toUpperCase()}${generator.slice(1)}.`] : []),
    ...(result.env.serverConfig ? ["", ...serverConfigMarkdown(result.env)] : []),
    "",
    "## Throughput",
    "",
    row(["", roles.ops ? "per second" : "msgs/s", "bytes/s"]),
    row(["---", "---:", "---:"]),
    // As the terminal shows them: 5001 and 625.1 KiB/s, not 5000.5 and 640064.
    ...(roles.published
      ? [
          row([
            throughputLabel(result, "published"),
            formatCount(th.publishedPerSec),
            perSec(th.publishedBytesPerSec),
          ]),
        ]
      : []),
    ...(roles.consumed
      ? [
          row([
            throughputLabel(result, "consumed"),
            formatCount(th.consumedPerSec),
            perSec(th.consumedBytesPerSec),
          ]),
        ]
      : []),
    ...(roles.ops
      ? [
          row([
            "operations succeeded",
            formatCount(th.opsPerSec ?? 0),
            perSec((th.readBytesPerSec ?? 0) + (th.writtenBytesPerSec ?? 0)),
          ]),
        ]
      : []),
  ];
  const kinds = Object.entries(result.latency) as Array<[string, LatencyBlock]>;
  if (kinds.length > 0) {
    lines.push("", "## Latency", "", row(["kind", "count", "p50", "p90", "p99", "p99.9", "max"]));
    lines.push(row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]));
    for (const [kind, b] of kinds) {
      lines.push(row([kind, b.count, ...[b.p50Us, b.p90Us, b.p99Us, b.p999Us, b.maxUs].map(formatUs)]));
    }
  }
  // Core publishes are never acknowledged: no "acked" column where nothing could be.
  const acks = expectsAcks(result);
  lines.push(
    "",
    "## Counts (whole run, warmup included)",
    "",
    row([
      "published",
      ...(acks ? ["acked", LOSS_TERMS.unacknowledged] : []),
      "consumed",
      notConsumedLabel(result),
      "duplicates",
      "redeliveries",
      "publish errors",
      "late sends",
      "never sent",
    ]),
    row(["---:", ...(acks ? ["---:", "---:"] : []), "---:", "---:", "---:", "---:", "---", "---:", "---:"]),
    row([
      c.published,
      ...(acks ? [c.acked, unacknowledged(c)] : []),
      c.consumed,
      c.lost,
      c.duplicates,
      c.redeliveries,
      describeErrorCounts(c.publishErrors) || "0",
      c.lateSends,
      c.unsent,
    ]),
  );
  if (c.permissionRefusals?.length)
    lines.push(
      "",
      "## Refused for want of permission",
      "",
      ...c.permissionRefusals.map((r) => `- ${describeRefusal(r)}`),
    );
  for (const section of workloadSections(result)) {
    lines.push("", `## ${section.title}`, "", row(section.head), row(section.head.map(() => "---")));
    for (const r of section.rows) lines.push(row(r));
  }
  if (result.e2eUnmeasured) {
    lines.push("", "## e2e not measured", "", ...result.e2eUnmeasured.map((n) => `- ${n}`));
  }
  const tenants = tenantRows(result);
  if (tenants) {
    lines.push(
      "",
      "## Tenants",
      "",
      row(tenants.head),
      row(tenants.head.map((_, i) => (i === 0 ? "---" : "---:"))),
    );
    for (const r of tenants.rows) lines.push(row(r));
  }
  const resilience = resilienceRows(result);
  if (resilience) {
    lines.push(
      "",
      "## Resilience",
      "",
      row(resilience.head),
      row(resilience.head.map((_, i) => (i < 3 ? "---" : "---:"))),
      ...resilience.rows.map((r) => row(r)),
    );
    if (resilience.loss) lines.push("", resilience.loss);
  }
  if (result.thresholds.length > 0) {
    lines.push(
      "",
      "## Thresholds",
      "",
      row(["metric", "limit", "actual", "verdict"]),
      row(["---", "---", "---:", "---"]),
    );
    for (const c of result.thresholds) {
      lines.push(
        row([c.metric, c.text, formatMetric(c.metric, c.actual), c.passed ? "pass" : "**breached**"]),
      );
    }
  }
  if (result.warnings.length > 0) {
    lines.push("", "## Warnings", "", ...result.warnings.map((w) => `- ${w}`));
  }
  return `${lines.join("\n")}\n`;
}
