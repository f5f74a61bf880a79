/**
 * `.hgrm` files: each latency histogram in HdrHistogram's percentile distribution text format, so
 * HdrHistogram's own plotter (and anything that reads jHiccup/wrk2 output) can open them. Values are in
 * milliseconds, the unit that plotter labels its axis with; benchline records microseconds.
 */
import { join } from "node:path";
import { decodeHistogram } from "../metrics/histogram.js";
import { writeFileAtomic } from "../util/atomic-write.js";

/** Five ticks per half distance, the format's usual resolution. */
const TICKS_PER_HALF_DISTANCE = 5;
const US_PER_MS = 1000;

export function renderHgrm(encodedHdr: string): string {
  const h = decodeHistogram(encodedHdr);
  try {
    return h.outputPercentileDistribution(TICKS_PER_HALF_DISTANCE, US_PER_MS);
  } finally {
    h.destroy();
  }
}

/** Writes <dir>/<kind>.hgrm for each latency kind with samples; returns the file names. */
export async function writeHgrms(
  dir: string,
  latency: Partial<Record<string, { count: number; hdr: string }>>,
): Promise<string[]> {
  const files: string[] = [];
  for (const [kind, block] of Object.entries(latency)) {
    if (!block || block.count === 0) continue;
    await writeFileAtomic(join(dir, `${kind}.hgrm`), renderHgrm(block.hdr));
    files.push(`${kind}.hgrm`);
  }
  return files;
}
