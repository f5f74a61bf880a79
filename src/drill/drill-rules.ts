/**
 * Rules for the embedded drill stack. benchline's proposed rules (slo --format prometheus) look over
 * minutes to days and a drill lasts tens of seconds, so the embedded default loads a short drill rule set
 * (a p99 above its objective over a few seconds, held briefly), or the user's rules (`--rules DIR`) with
 * every window and `for:` divided by a time scale. Pure, but for reading the directory.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { LatencyKind } from "../contract/latency.js";
import { UsageError } from "../errors.js";
import { snakeKind } from "../slo/prometheus-names.js";

/**
 * Intervals of the embedded stack: Prometheus scrape and evaluation, Alertmanager grouping. No group_wait:
 * Prometheus stamps an alert with the time it fired, and Alertmanager never notifies a new group whose
 * alerts all resolved within its group_wait, so a wait would hide a drill alert that fires briefly.
 */
export const DRILL_INTERVALS = { scrapeS: 1, evaluationS: 1, groupWaitS: 0, groupIntervalS: 1 } as const;

/** The drill rules' shape: p99 over `windowS` above `objectiveMs`, held `forS`. */
export const DRILL_RULE = { windowS: 5, forS: 2, objectiveMs: 250, quantile: 0.99 } as const;

/** Kinds a drill rule watches, in the order the first present is the default expectation. */
const DRILL_KINDS: LatencyKind[] = ["pubAck", "request", "e2e"];

export interface DrillRuleSet {
  /** The rules file Prometheus loads. */
  yaml: string;
  alerts: string[];
  /** One line: which rules, what windows, for the output and docs/slo-and-alerts.md. */
  description: string;
}

const pascal = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export function drillRules(kinds: Iterable<LatencyKind>, prefix = "benchline"): DrillRuleSet {
  const present = new Set(kinds);
  const { windowS, forS, objectiveMs, quantile } = DRILL_RULE;
  const rules = DRILL_KINDS.filter((k) => present.has(k)).map((k) => ({
    alert: `BenchlineDrill${pascal(k)}P99High`,
    expr: `histogram_quantile(${quantile}, sum by (le) (rate(${prefix}_${snakeKind(k)}_latency_seconds_bucket[${windowS}s]))) > ${objectiveMs / 1000}`,
    for: `${forS}s`,
    labels: { severity: "page", source: "benchline-drill" },
    annotations: { summary: `${k} p99 above ${objectiveMs} ms over ${windowS} s (benchline drill rule)` },
  }));
  return {
    yaml: stringify({ groups: [{ name: "benchline-drill", rules }] }, { lineWidth: 0 }),
    alerts: rules.map((r) => r.alert),
    description: `drill rules: p99 above ${objectiveMs} ms over rate windows of ${windowS} s, for ${forS} s`,
  };
}

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** "5m" / "1h30m" to seconds; undefined for anything else. */
export function promDurationS(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((s, p) => s + Number(p[1]) * UNIT_S[p[2]!]!, 0);
}

/** Seconds as Prometheus writes a duration, at least 1 s. */
const asDuration = (s: number) => `${Math.max(1, Math.round(s))}s`;

/** Every range `[5m]`, subquery `[1h:1m]` and `for:` divided by `factor` (60: a minute becomes a second). */
export function scaleRulesYaml(text: string, factor: number): string {
  const doc = parse(text) as {
    groups?: Array<{ interval?: string; rules?: Array<Record<string, unknown>> }>;
  };
  const scale = (d: string) => {
    const s = promDurationS(d);
    return s === undefined ? d : asDuration(s / factor);
  };
  for (const g of doc.groups ?? []) {
    if (g.interval) delete g.interval; // the stack's evaluation interval applies
    for (const r of g.rules ?? []) {
      if (typeof r.expr === "string")
        r.expr = r.expr.replace(/\[([0-9a-z]+)(:([0-9a-z]*))?\]/g, (_m, range: string, _c, step?: string) =>
          step === undefined ? `[${scale(range)}]` : `[${scale(range)}:${step ? scale(step) : ""}]`,
        );
      if (typeof r.for === "string") r.for = scale(r.for);
    }
  }
  return stringify(doc, { lineWidth: 0 });
}

/** Alert names a rules file defines. */
export function alertNamesOf(text: string): string[] {
  const doc = parse(text) as { groups?: Array<{ rules?: Array<{ alert?: string }> }> };
  return (doc?.groups ?? []).flatMap((g) => (g.rules ?? []).flatMap((r) => (r.alert ? [r.alert] : [])));
}

/** The *.yml / *.yaml files of `--rules DIR`, by name. */
export async function readRulesDir(dir: string): Promise<Array<{ file: string; text: string }>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n) && !/\.test\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw new UsageError(`--rules ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (names.length === 0) throw new UsageError(`--rules ${dir}: no rules files (*.yml, *.yaml) in it`);
  return Promise.all(names.map(async (n) => ({ file: n, text: await readFile(join(dir, n), "utf8") })));
}
