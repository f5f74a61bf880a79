/** The flags of a verdict that compare and ab share, and what they parse to: noise, metrics, seed, JSON. */
import type { Argv } from "yargs";
import { DEFAULT_NOISE } from "../baseline/compare.js";
import { defaultCompareMetrics, metricInfo } from "../baseline/metrics.js";
import type { Profile } from "../contract/profile.js";
import { UsageError } from "../errors.js";

/** `--noise 5` for every metric, `--noise pubAck.p99=10` for one; percentages. */
export function parseNoise(values: string[]): (metric: string) => number {
  let all = DEFAULT_NOISE;
  const per = new Map<string, number>();
  for (const v of values) {
    const m = /^(?:([A-Za-z][A-Za-z0-9]*\.[A-Za-z0-9]+)=)?(\d+(?:\.\d+)?)%?$/.exec(v);
    if (!m) throw new UsageError(`--noise ${v}: give a percentage (5) or METRIC=PERCENT (pubAck.p99=10)`);
    if (m[1] && !metricInfo(m[1])) throw new UsageError(`--noise ${v}: unknown metric ${m[1]}`);
    const fraction = Number(m[2]) / 100;
    if (m[1]) per.set(m[1], fraction);
    else all = fraction;
  }
  return (metric) => per.get(metric) ?? all;
}

/** The metrics a verdict judges: those asked for with --metric, each known, or the profile's defaults. */
export function comparedMetrics(requested: string[] | undefined, profile: Profile): string[] {
  const metrics = requested?.length ? requested : defaultCompareMetrics(profile);
  for (const m of metrics) {
    if (!metricInfo(m))
      throw new UsageError(
        `--metric ${m}: unknown metric; use e.g. pubAck.p99, e2e.p50, throughput.publishedPerSec`,
      );
  }
  return metrics;
}

/** The flags of a verdict that compare and ab share: noise, metrics, seed, and JSON instead of the table. */
export function withVerdictOptions<T>(y: Argv<T>) {
  return y
    .option("noise", {
      type: "string",
      array: true,
      default: [],
      describe: "noise threshold in %: 5, or METRIC=PERCENT (default 5)",
    })
    .option("metric", { type: "string", array: true, describe: "compare only these metrics" })
    .option("seed", { type: "number", default: 1, describe: "bootstrap seed (intervals are reproducible)" })
    .option("json", {
      type: "boolean",
      default: false,
      describe: "print compare.json instead of the table",
    });
}
