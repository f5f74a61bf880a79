/**
 * Each fault's figures (docs/architecture.md, "Faults"): unavailableMs, recoveryMs and recovered, the
 * errors and reconnects in its window, and latency before, during and after it from the merged
 * per-second histograms. Worked out after the run from what the threads returned; nothing here touches
 * a server.
 */
import type { FaultResult } from "../contract/fault-results.js";
import type { LatencyBlock, LatencyKind } from "../contract/latency.js";
import { failedKey, type IntervalSnapshot, type ThreadResult } from "../engine/protocol.js";
import { mergeEncoded, summarize } from "../metrics/histogram.js";
import { type Gap, gapsOf, intersectGaps, longestGapMs } from "./availability.js";
import { recovery } from "./recovery.js";
import type { FaultRecord } from "./timeline.js";

const WINDOWS = ["before", "during", "after"] as const;

export interface FaultFigureInput {
  records: FaultRecord[];
  threads: ThreadResult[];
  snapshots: IntervalSnapshot[];
  warmupNs: number;
  measureEndNs: number;
  /** Errors from sends just before a fault's end surface up to this much later (the ack timeout). */
  errorGraceNs: number;
  /** The kind latency figures and the recovery's p99 are read from (pubAck, request or e2e). */
  latencyKind?: LatencyKind;
}

/**
 * The threads' window histograms of one kind, merged: before, during and after fault i, failures
 * included; and per window how many of its operations failed.
 */
function windowBlocks(
  threads: ThreadResult[],
  kind: LatencyKind | undefined,
  fault: number,
): Pick<FaultResult, "latency" | "operations"> {
  const latency: FaultResult["latency"] = kind ? { kind } : {};
  const operations: NonNullable<FaultResult["operations"]> = {};
  if (!kind) return { latency };
  WINDOWS.forEach((name, k) => {
    const merged = (key: string) =>
      mergeEncoded(
        threads.flatMap((t) => {
          const e = t.windowHistograms?.[fault * 3 + k]?.[key];
          return e ? [e] : [];
        }),
      );
    const all = merged(kind);
    const failed = merged(failedKey(kind));
    if (all.totalCount > 0) latency[name] = summarize(all);
    // Only a publish or a request can be seen to fail; an e2e delivery that never came is not counted.
    if (all.totalCount > 0 && kind !== "e2e") {
      const ok = all.totalCount - failed.totalCount;
      operations[name] = {
        succeeded: ok,
        failed: failed.totalCount,
        successRatio: Math.round((ok / all.totalCount) * 10_000) / 10_000,
      };
    }
    all.destroy();
    failed.destroy();
  });
  return { latency, ...(Object.keys(operations).length > 0 && { operations }) };
}

export function faultFigures(input: FaultFigureInput): FaultResult[] {
  const { threads, snapshots, warmupNs, measureEndNs } = input;
  const source = threads.some((t) => t.successes?.publishes) ? "publishes" : "deliveries";
  const series = threads.flatMap((t) => (t.successes?.[source] ? [t.successes[source]!] : []));
  const gaps: Gap[] = intersectGaps(series.map((s) => gapsOf(s.gaps)));
  const ticks = new Array<number>(Math.max(0, ...series.map((s) => s.ticks.length))).fill(0);
  for (const s of series) for (let i = 0; i < s.ticks.length; i++) ticks[i]! += s.ticks[i]!;
  const kind = input.latencyKind;
  const bySecond = new Map<number, IntervalSnapshot[]>();
  for (const s of snapshots) bySecond.set(s.index, [...(bySecond.get(s.index) ?? []), s]);
  const merged = (from: number, to: number) => mergeSeconds(bySecond, kind, from, to);
  const p99UsPerSecond = Array.from({ length: Math.max(0, ...bySecond.keys()) + 1 }, (_, i) => {
    const block = merged(i, i + 1);
    return block ? block.p99Us : Number.NaN;
  });
  const fired = input.records.filter((r) => r.startNs !== undefined).sort((a, b) => a.startNs! - b.startNs!);

  return input.records.map((r, faultIndex) => {
    const base: FaultResult = {
      name: r.spec.name,
      kind: r.spec.kind,
      target: r.spec.target,
      ...(r.node && { node: r.node }),
      fired: r.startNs !== undefined,
      recovered: false,
      errors: {},
      reconnects: 0,
      reconnectMs: [],
      latency: {},
      ...(r.error && { error: r.error }),
    };
    if (r.startNs === undefined) return base;
    const start = r.startNs;
    const end = r.endNs ?? start;
    const next = fired.find((f) => f.startNs! > start)?.startNs ?? measureEndNs;
    const previousEnd = Math.max(
      warmupNs,
      ...fired.filter((f) => f.startNs! < start).map((f) => f.endNs ?? f.startNs!),
    );
    const rec = recovery({
      successesPerTick: ticks,
      p99UsPerSecond,
      faultStartMs: start / 1e6,
      faultEndMs: end / 1e6,
      baselineFromMs: previousEnd / 1e6,
      untilMs: Math.min(next, measureEndNs) / 1e6,
    });
    const reconnectMs: number[] = [];
    for (const t of threads) {
      const ev = t.reconnectEvents ?? [];
      for (let i = 0; i + 1 < ev.length; i += 2)
        if (ev[i]! >= start && ev[i]! < next) reconnectMs.push(Math.round((ev[i + 1]! - ev[i]!) / 1e6));
    }
    const errors: Record<string, number> = {};
    const firstSecond = Math.floor(start / 1e9);
    const lastSecond = Math.floor((end + input.errorGraceNs) / 1e9);
    for (const s of snapshots) {
      if (s.index < firstSecond || s.index > lastSecond) continue;
      for (const [k, n] of Object.entries(s.errorKinds)) errors[k] = (errors[k] ?? 0) + n;
    }
    const second = (ns: number) => ns / 1e9;
    return {
      ...base,
      atS: round3(second(start - warmupNs)),
      forS: round3(second(end - start)),
      unavailableMs: longestGapMs(gaps, start, Math.min(next, measureEndNs)),
      recovered: rec.recovered,
      ...(rec.recoveryMs !== undefined && { recoveryMs: Math.round(rec.recoveryMs) }),
      ...(rec.note && { recoveryNote: rec.note }),
      errors,
      reconnects: reconnectMs.length,
      reconnectMs,
      ...windowBlocks(threads, kind, faultIndex),
    };
  });
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The latency of seconds [from, to) merged from every thread's snapshots, or undefined when empty. */
function mergeSeconds(
  bySecond: Map<number, IntervalSnapshot[]>,
  kind: LatencyKind | undefined,
  from: number,
  to: number,
): LatencyBlock | undefined {
  if (!kind || to <= from) return undefined;
  const encoded: string[] = [];
  for (let i = from; i < to; i++)
    for (const s of bySecond.get(i) ?? []) if (s.histograms[kind]) encoded.push(s.histograms[kind]!);
  if (encoded.length === 0) return undefined;
  const h = mergeEncoded(encoded);
  const block = summarize(h);
  h.destroy();
  return block.count > 0 ? block : undefined;
}
