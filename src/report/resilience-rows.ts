/** The resilience section: one row per fault, then the acked-loss check. Pure; the table and summary.md share it. */
import type { RunResult } from "../engine/result.js";
import { formatUs } from "../util/units.js";

const ms = (v: number | undefined) => (v === undefined ? "-" : formatUs(v * 1000));

export function resilienceRows(
  result: RunResult,
): { head: string[]; rows: string[][]; loss?: string } | undefined {
  const faults = result.faults;
  if (!faults?.length) return undefined;
  const kind = faults.find((f) => f.latency.kind)?.latency.kind ?? "latency";
  const head = [
    "fault",
    "on",
    "at / for",
    "unavailable",
    "recovery",
    "errors",
    "reconnects",
    `${kind} p99 before / during / after`,
  ];
  const rows = faults.map((f) => {
    const on = f.node
      ? `node ${f.node.index}${f.node.name ? ` (${f.node.name})` : ""}`
      : f.target === "clients"
        ? "client links"
        : String(f.target);
    if (!f.fired)
      return [`${f.name} (${f.kind})`, on, "not fired", "-", "-", "-", "-", f.error ?? "the run ended first"];
    const errors = Object.entries(f.errors)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    const p99 = (["before", "during", "after"] as const).map((w) =>
      f.latency[w] ? formatUs(f.latency[w]!.p99Us) : "-",
    );
    return [
      `${f.name} (${f.kind})${f.error ? ` ERROR: ${f.error}` : ""}`,
      on,
      `${f.atS}s / ${f.forS}s`,
      ms(f.unavailableMs),
      f.recovered ? ms(f.recoveryMs) : `NOT RECOVERED${f.recoveryNote ? ` (${f.recoveryNote})` : ""}`,
      errors || "0",
      f.reconnects > 0 ? `${f.reconnects} (longest ${ms(Math.max(...f.reconnectMs))})` : "0",
      p99.join(" / "),
    ];
  });
  const rb = result.readBack;
  const loss = rb
    ? rb.error
      ? `acked-loss check: the stream ${rb.stream} could not be read back (${rb.error})`
      : rb.streamGone
        ? `acked-loss check: the stream ${rb.stream} is gone; all ${rb.lost} acknowledged messages are lost`
        : `acked-loss check: ${rb.lost} of ${rb.acknowledged} acknowledged messages missing from ${rb.stream}${rb.lost > 0 ? ` (e.g. ${rb.lostSample.join(", ")})` : ""}; ${rb.removedByLimits} removed by the stream's limits, ${rb.recovered} stored without an ack, ${rb.messages} read back`
    : undefined;
  return { head, rows, ...(loss && { loss }) };
}
