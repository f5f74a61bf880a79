/**
 * The rows a run of the workloads beyond streams adds to the table and summary.md: operations, a
 * drain's backlog and time, each driven service endpoint, and the publishers e2e cannot be measured
 * for. Pure; empty when the run had none of them.
 */
import { describeErrorCounts } from "../contract/error-kinds.js";
import type { RunResult } from "../contract/result.js";
import { formatBytes, formatCount, formatUs } from "../util/units.js";

export interface Section {
  title: string;
  head: string[];
  rows: string[][];
}

const kinds = (r: Record<string, number> | undefined) => describeErrorCounts(r ?? {}) || "0";

export function workloadSections(result: RunResult): Section[] {
  const sections: Section[] = [];
  const c = result.counts;
  const t = result.throughput;
  if (c.ops !== undefined) {
    sections.push({
      title: "Operations (KV, Object Store, direct get)",
      head: ["operations", ""],
      rows: [
        ["succeeded/s (measured)", formatCount(t.opsPerSec ?? 0)],
        [
          "read / written",
          `${formatBytes(t.readBytesPerSec ?? 0)}/s / ${formatBytes(t.writtenBytesPerSec ?? 0)}/s`,
        ],
        ["issued (whole run)", String(c.ops)],
        ["misses / update conflicts", `${c.kvMisses ?? 0} / ${c.kvConflicts ?? 0}`],
        ["checksum failures", String(c.objChecksumFailures ?? 0)],
        ["watch updates", String(c.watchUpdates ?? 0)],
        ["errors", kinds(c.opErrors)],
      ],
    });
  }
  const d = result.drain;
  if (d) {
    sections.push({
      title: "Drain",
      head: ["drain", ""],
      rows: [
        ["backlog at start", String(d.backlogMsgs)],
        ["consumed of it", String(d.consumedMsgs)],
        [d.drained ? "drained in (to its last message)" : "not drained; ran", `${d.drainS} s`],
        ["drain rate (consumed of it / that time)", `${formatCount(d.drainedPerSec)} msgs/s`],
      ],
    });
  }
  const endpoints = Object.entries(result.endpoints ?? {});
  if (endpoints.length > 0) {
    sections.push({
      title: "Service endpoints",
      head: ["endpoint", "requests", "replies", "p50", "p99", "errors"],
      rows: endpoints.map(([name, e]) => [
        name,
        String(e.requests),
        String(e.replies),
        e.latency ? formatUs(e.latency.p50Us) : "-",
        e.latency ? formatUs(e.latency.p99Us) : "-",
        kinds(e.errors),
      ]),
    });
  }
  return sections;
}
