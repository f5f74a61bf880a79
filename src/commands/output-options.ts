/** The output flags that run, compare and capacity share: pictures, HTML, Prometheus. */
import { dirname } from "node:path";
import type { Argv } from "yargs";
import { latencyKindsOf } from "../baseline/metrics.js";
import type { Profile } from "../contract/profile.js";
import type { RunEvents } from "../engine/run.js";
import { UsageError } from "../errors.js";
import { serveMetrics } from "../report/prometheus/live.js";
import { type ExtraGauges, type Figures, writePrometheusFile } from "../report/prometheus/textfile.js";
import { ensureWritableDir } from "../util/files.js";

export interface OutputArgs {
  charts: boolean;
  html: boolean;
  metricsPort?: number;
  prometheus?: string;
}

export function withOutputOptions<T>(y: Argv<T>, charts: string) {
  return y
    .option("charts", {
      type: "boolean",
      default: true,
      describe: `write ${charts} beside the results (--no-charts to skip)`,
    })
    .option("html", {
      type: "boolean",
      default: false,
      describe:
        "also write report.html: tables, verdicts and interactive charts in one file that opens offline",
    })
    .option("metrics-port", {
      type: "number",
      describe: "serve Prometheus /metrics on this port while it runs (0: any free port, printed on stderr)",
    })
    .option("prometheus", {
      type: "string",
      describe: "write the final figures to FILE in Prometheus text format (textfile collector, Pushgateway)",
    });
}

/** What the metrics flags need during the runs: events to feed, and a close for the end. */
export interface LiveMetrics {
  events?: RunEvents;
  close(): Promise<void>;
}

/** Checks the flags before any load starts, and opens /metrics when asked. */
export async function openLiveMetrics(args: OutputArgs, profile: Profile): Promise<LiveMetrics> {
  if (args.prometheus !== undefined) {
    if (args.prometheus === "" || args.prometheus.endsWith("/"))
      throw new UsageError(
        `--prometheus "${args.prometheus}": name a file, e.g. --prometheus benchline.prom`,
      );
    await ensureWritableDir(dirname(args.prometheus), "--prometheus dir");
  }
  if (args.metricsPort === undefined) return { close: async () => {} };
  const endpoint = await serveMetrics(
    args.metricsPort,
    profile.name,
    latencyKindsOf(profile),
    profile.faults,
  );
  process.stderr.write(`serving metrics on ${endpoint.url}\n`);
  return { events: endpoint.events, close: endpoint.close };
}

export async function writeFinalPrometheus(
  args: OutputArgs,
  profile: string,
  runs: Figures[],
  gauges: ExtraGauges = {},
): Promise<string[]> {
  if (args.prometheus === undefined) return [];
  await writePrometheusFile(args.prometheus, profile, runs, gauges);
  return [args.prometheus];
}
