/** Each tenant on its own row: what tenant A's load did to tenant B shows here. Pure. */
import type { RunResult } from "../contract/result.js";
import { formatCount, formatUs } from "../util/units.js";

const KINDS = ["pubAck", "e2e", "request"] as const;

export function tenantRows(result: RunResult): { head: string[]; rows: string[][] } | undefined {
  const tenants = Object.entries(result.tenants ?? {});
  if (tenants.length === 0) return undefined;
  const kinds = KINDS.filter((k) => tenants.some(([, t]) => t.latency[k]));
  const head = [
    "tenant",
    "published/s",
    "consumed/s",
    ...kinds.map((k) => `${k} p50 / p99`),
    "errors",
    "permission violations",
    "lost",
  ];
  const rows = tenants.map(([name, t]) => [
    t.complete ? name : `${name} (incomplete)`,
    formatCount(t.throughput.publishedPerSec),
    formatCount(t.throughput.consumedPerSec),
    ...kinds.map((k) => {
      const b = t.latency[k];
      return b ? `${formatUs(b.p50Us)} / ${formatUs(b.p99Us)}` : "-";
    }),
    String(Object.values(t.counts.publishErrors).reduce((a, b) => a + b, 0)),
    String(t.counts.permissionViolations ?? 0),
    String(t.counts.lost),
  ]);
  return { head, rows };
}
