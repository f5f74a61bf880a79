/** Renders a ServerStatus for the terminal. Pure: returns a string. */
import Table from "cli-table3";
import type { ServerStatus } from "../server/status.js";
import { formatBytes, formatCount } from "../util/units.js";

const orDash = (v: string | number | undefined) => (v === undefined ? "-" : String(v));

export function renderServerStatus(status: ServerStatus): string {
  const table = new Table({
    head: ["", ...status.nodes.map((_, i) => (status.nodes.length > 1 ? `node ${i + 1}` : "server"))],
    style: { head: [], border: [], compact: true },
  });
  const row = (label: string, f: (n: ServerStatus["nodes"][number]) => string) =>
    table.push([label, ...status.nodes.map(f)]);
  row("pid", (n) => String(n.pid));
  row("health", (n) => (n.healthy ? "ok" : `UNHEALTHY: ${n.healthError ?? "unknown"}`));
  row("name", (n) => orDash(n.serverName));
  row("version", (n) => orDash(n.version));
  row("uptime", (n) => orDash(n.uptime));
  row("client url", (n) => n.clientUrl);
  row("monitor url", (n) => n.monitorUrl);
  row("connections", (n) => orDash(n.connections));
  row("msgs in / out", (n) => `${orDash(n.inMsgs)} / ${orDash(n.outMsgs)}`);
  row("bytes in / out", (n) =>
    n.inBytes === undefined ? "-" : `${formatBytes(n.inBytes)} / ${formatBytes(n.outBytes ?? 0)}`,
  );
  if (status.nodes.some((n) => n.rates)) {
    row("msgs/s in / out", (n) =>
      n.rates ? `${formatCount(n.rates.inMsgsPerSec)} / ${formatCount(n.rates.outMsgsPerSec)}` : "-",
    );
    row("bytes/s in / out", (n) =>
      n.rates ? `${formatBytes(n.rates.inBytesPerSec)}/s / ${formatBytes(n.rates.outBytesPerSec)}/s` : "-",
    );
  }
  row("slow consumers", (n) => orDash(n.slowConsumers));
  row("memory", (n) => (n.memBytes === undefined ? "-" : formatBytes(n.memBytes)));
  row("cpu", (n) => (n.cpuPercent === undefined ? "-" : `${n.cpuPercent}%`));
  row("streams / consumers", (n) =>
    n.jetstream ? `${n.jetstream.streams} / ${n.jetstream.consumers}` : "-",
  );
  row("js file storage", (n) =>
    n.jetstream
      ? `${formatBytes(n.jetstream.storageBytes)} of ${formatBytes(n.jetstream.maxStorageBytes)}`
      : "-",
  );
  row("js memory storage", (n) =>
    n.jetstream
      ? `${formatBytes(n.jetstream.memoryBytes)} of ${formatBytes(n.jetstream.maxMemoryBytes)}`
      : "-",
  );
  if (status.nodes.length > 1) row("meta leader", (n) => orDash(n.jetstream?.metaLeader));
  const lines = [
    `benchline server ${status.healthy ? "healthy" : "NOT HEALTHY"}, started ${status.startedAt}`,
    table.toString(),
    `last log lines (${status.logFile}):`,
    status.logTail ? status.logTail.replace(/^/gm, "  ") : "  (empty)",
  ];
  return `${lines.join("\n")}\n`;
}
