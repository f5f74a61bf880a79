/** The resilience section: one row per fault, then the acked-loss check. Pure; the table and summary.md share it. */

import type { RunResult } from "../contract/result.js";
import { LOSS_TERMS, unacknowledged } from "../engine/loss.js";
import { formatUs } from "../util/units.js";

/** A share, floored to a tenth of a percent: 99.96% is not "100%". */
const percent = (ratio: number) => `${ratio >= 1 ? 100 : Math.floor(ratio * 1000) / 10}%`;

/** The acked-loss check in the loss vocabulary, beside the counts it must agree with. */
function lossLine(result: RunResult): string {
  const rb = result.readBack!;
  const c = result.counts;
  if (rb.error) return `acked-loss check: the stream ${rb.stream} could not be read back (${rb.error})`;
  if (rb.streamGone)
    return `acked-loss check: the stream ${rb.stream} is gone: ${rb.lost} of ${rb.acknowledged} ${LOSS_TERMS.gone}`;
  const notConsumed =
    c.lost === 0
      ? `0 ${LOSS_TERMS.notConsumed}`
      : `${c.lost} ${LOSS_TERMS.notConsumed}${rb.lost === 0 ? " (all in the stream: delivered late or not at all, not gone)" : ""}`;
  return [
    `acked-loss check (${rb.stream} read back after the drain, ${rb.messages} messages)`,
    `: ${rb.lost} of ${rb.acknowledged} ${LOSS_TERMS.gone}${rb.lost > 0 ? ` (e.g. ${rb.lostSample.join(", ")})` : ""}`,
    `; ${rb.removedByLimits} removed by the stream's limits`,
    `; ${unacknowledged(c)} ${LOSS_TERMS.unacknowledged}, ${rb.recovered} of them stored anyway`,
    `; ${notConsumed}`,
  ].join("");
}

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
    "at / for (from measured start)",
    "unavailable",
    "recovery",
    "errors",
    "reconnects",
    `${kind} p99 before / during / after (share succeeded)`,
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
    // Failed operations are in the percentiles at their time to failure; the share that succeeded beside.
    const p99 = (["before", "during", "after"] as const).map((w) => {
      if (!f.latency[w]) return "-";
      const ops = f.operations?.[w];
      return `${formatUs(f.latency[w]!.p99Us)}${ops ? ` (${percent(ops.successRatio)})` : ""}`;
    });
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
  const loss = result.readBack ? lossLine(result) : undefined;
  return { head, rows, ...(loss && { loss }) };
}
