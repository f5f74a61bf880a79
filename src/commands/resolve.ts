/**
 * Run until resolved (--resolution PCT, --max-repeat N) and the runs to detect a change (--detect PCT),
 * as baseline record, compare and ab share them: runs are added one at a time, and after each the
 * verdict looks again, at alpha-spending levels so that looking often does not fail builds more often.
 */
import type { Argv } from "yargs";
import type { MetricComparison } from "../baseline/compare.js";
import type { SequentialStop } from "../baseline/report-model.js";
import { SequentialDesign } from "../baseline/sequential.js";
import { UsageError } from "../errors.js";

export interface ResolutionArgs {
  resolution?: string;
  maxRepeat?: number;
  detect?: string;
}

export const DEFAULT_MAX_REPEAT = 20;

export function withResolutionOptions<T>(y: Argv<T>, runs = "runs") {
  return y
    .option("resolution", {
      type: "string",
      describe: `add ${runs} one at a time until every metric resolves this change (e.g. 10%), or --max-repeat is reached`,
    })
    .option("max-repeat", {
      type: "number",
      describe: `with --resolution: the most ${runs} (default ${DEFAULT_MAX_REPEAT})`,
    })
    .option("detect", {
      type: "string",
      describe: `give the ${runs} that would detect this change, e.g. 10%`,
    });
}

/** "10%", "10" or "2.5%" as a fraction; one-line error otherwise. */
export function parsePercent(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(String(value).trim());
  const pct = m ? Number(m[1]) : Number.NaN;
  if (!(pct > 0 && pct < 100))
    throw new UsageError(`--${flag} ${value}: give a percentage above 0 and below 100, e.g. 10%`);
  return pct / 100;
}

/** The flags checked: a target, the most runs, the first look; undefined without --resolution. */
export function resolutionPlan(
  args: ResolutionArgs,
  first: number,
  noise: number,
): { target: number; max: number } | undefined {
  const target = parsePercent("resolution", args.resolution);
  if (target === undefined) {
    if (args.maxRepeat !== undefined) throw new UsageError("--max-repeat needs --resolution");
    return undefined;
  }
  const max = args.maxRepeat ?? Math.max(DEFAULT_MAX_REPEAT, first);
  if (!Number.isInteger(max) || max < first || max > 1000)
    throw new UsageError(
      `--max-repeat must be a whole number from ${first} (the first look) to 1000, not ${max}`,
    );
  if (target <= noise)
    throw new UsageError(
      `--resolution ${args.resolution} is not above the noise threshold ${(noise * 100).toFixed(1)}%: a verdict never calls a change within the noise regressed; ask for more, or lower --noise`,
    );
  return { target, max };
}

/**
 * The worst resolution among metrics with a relative scale (a metric whose values include zero has
 * none, and cannot hold up the runs); Infinity while a rank test cannot reach its level; 0 for none.
 */
export function worstResolution(comparisons: ReadonlyArray<Pick<MetricComparison, "resolution">>): number {
  let worst = 0;
  for (const c of comparisons) {
    const r = c.resolution;
    if (!r || r.spreadLog === null) continue;
    worst = Math.max(worst, r.change ?? Number.POSITIVE_INFINITY);
  }
  return worst;
}

export interface SequentialLoop<T> {
  /** Runs (ab: rounds) before the first look. */
  first: number;
  max: number;
  target: number;
  /** Statistical information after n runs (1 / (1/n1 + 1/n2)); its value at `max` is the whole. */
  informationOf(runs: number): number;
  /** Makes run (ab: round) `index`, 0-based. */
  addRun(index: number): Promise<void>;
  /** Judges the runs so far at this look's nominal levels. */
  judge(nominal: (level: number) => number): T;
  /** What a judgement says: its worst resolution, and whether a metric regressed. */
  assess(t: T): { resolution: number; regressed: boolean };
  /** "runs" or "rounds", for progress. */
  unit: string;
}

/**
 * Adds runs until the judgement resolves the target, a metric crosses its boundary (regressed: no more
 * runs can take that back), or the most runs are made.
 */
export async function untilResolved<T>(o: SequentialLoop<T>): Promise<{ judged: T; stop: SequentialStop }> {
  const design = new SequentialDesign(o.informationOf(o.max));
  let runs = 0;
  while (runs < o.first) await o.addRun(runs++);
  for (;;) {
    design.look(o.informationOf(runs));
    const judged = o.judge((a) => design.nominal(a));
    const { resolution, regressed } = o.assess(judged);
    const reason = regressed
      ? "regressed"
      : resolution <= o.target
        ? "resolved"
        : runs >= o.max
          ? "max-repeat"
          : undefined;
    const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "none yet");
    process.stderr.write(
      `look ${design.fractions.length} after ${runs} ${o.unit}: resolution ${pct(resolution)} (target ${pct(o.target)})${reason ? `; stop: ${reason}` : ""}\n`,
    );
    if (reason)
      return {
        judged,
        stop: {
          reason,
          target: o.target,
          reached: Number.isFinite(resolution) ? resolution : null,
          looks: design.fractions.length,
          runs,
          maxRuns: o.max,
          informationFraction: design.fractions.at(-1)!,
          spending: "Lan-DeMets O'Brien-Fleming-type, alpha/2 a side",
        },
      };
    await o.addRun(runs++);
  }
}
