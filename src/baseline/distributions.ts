/** Merged latency histograms of a set of runs, per kind: what the percentile charts of a compare draw. */
import { encodeHistogram, mergeEncoded } from "../metrics/histogram.js";
import type { RunSummary } from "./format.js";

export function mergedLatency(runs: Array<Pick<RunSummary, "latency">>, kind: string): string | undefined {
  const encoded = runs.flatMap((r) => {
    const block = r.latency[kind as keyof RunSummary["latency"]];
    return block && block.count > 0 ? [block.hdr] : [];
  });
  if (encoded.length === 0) return undefined;
  const h = mergeEncoded(encoded);
  const text = encodeHistogram(h);
  h.destroy();
  return text;
}

/** Each latency kind both sides measured, baseline runs merged and candidate runs merged. */
export function latencyDistributions(
  baseline: Array<Pick<RunSummary, "latency">>,
  candidates: Array<Pick<RunSummary, "latency">>,
): Array<{ kind: string; baselineHdr: string; candidateHdr: string }> {
  const kinds = new Set(baseline.flatMap((r) => Object.keys(r.latency)));
  return [...kinds].flatMap((kind) => {
    const baselineHdr = mergedLatency(baseline, kind);
    const candidateHdr = mergedLatency(candidates, kind);
    return baselineHdr && candidateHdr ? [{ kind, baselineHdr, candidateHdr }] : [];
  });
}
