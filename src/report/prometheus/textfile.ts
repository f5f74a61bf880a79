/**
 * `--prometheus FILE`: the final figures in the text exposition format, for node_exporter's textfile
 * collector or a Pushgateway. Counts are whole-run (as in result.json); latency histograms hold the
 * measured phase, merged over every run given (a compare's candidates, a capacity search's steps). HELP
 * says so (MetricsScope "final").
 */
import type { RunSummary } from "../../baseline/format.js";
import { decodeHistogram } from "../../metrics/histogram.js";
import { writeFileAtomic } from "../../util/atomic-write.js";

/** A run's figures; a capacity step has latency but no whole-run counts. */
export type Figures = Pick<RunSummary, "latency"> & Partial<Pick<RunSummary, "counts">>;

/** Single values beside the standard series, e.g. a capacity search's answer. */
export type ExtraGauges = Record<string, { help: string; value: number | undefined }>;

export async function renderPrometheusText(
  profile: string,
  runs: Figures[],
  gauges: ExtraGauges = {},
): Promise<string> {
  // prom-client with it: loaded when asked for, not on every start.
  const { BenchlineMetrics } = await import("./metrics.js");
  const metrics = new BenchlineMetrics(profile, {
    scope: "final",
    counts: runs.some((r) => r.counts !== undefined),
  });
  try {
    for (const [name, g] of Object.entries(gauges))
      if (g.value !== undefined) metrics.setGauge(name, g.help, g.value);
    for (const run of runs) {
      if (run.counts) {
        metrics.addCounts(run.counts.published, run.counts.consumed);
        metrics.addErrors(run.counts.publishErrors);
        metrics.addErrors(run.counts.consumerErrors);
      }
      for (const [kind, block] of Object.entries(run.latency)) {
        if (!block || block.count === 0) continue;
        const h = decodeHistogram(block.hdr);
        metrics.addLatency(kind, h);
        h.destroy();
      }
    }
    metrics.setPhase("done");
    return await metrics.text();
  } finally {
    metrics.destroy();
  }
}

export async function writePrometheusFile(
  file: string,
  profile: string,
  runs: Figures[],
  gauges: ExtraGauges = {},
): Promise<void> {
  await writeFileAtomic(file, await renderPrometheusText(profile, runs, gauges));
}
