/**
 * docs/grafana-dashboard.json queries only series benchline exports. The exported names are read from
 * what the Prometheus module itself writes (every latency kind, both error families, the phase), not
 * from a list kept by hand, so a renamed metric breaks this test rather than the dashboard.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { LATENCY_KINDS } from "../src/contract/latency.js";
import { CONSUMER_ERROR_KINDS } from "../src/engine/merge.js";
import { createHistogram } from "../src/metrics/histogram.js";
import { BenchlineMetrics } from "../src/report/prometheus/metrics.js";

/** PromQL's own words: functions, aggregations, keywords. */
const PROMQL = new Set([
  "sum",
  "max",
  "min",
  "avg",
  "count",
  "rate",
  "irate",
  "increase",
  "histogram_quantile",
  "by",
  "without",
  "on",
  "ignoring",
  "and",
  "or",
  "unless",
  "le",
  "label_values",
  "clamp_min",
  "topk",
]);

async function exportedNames(): Promise<Set<string>> {
  const metrics = new BenchlineMetrics("p", { scope: "live", latencyKinds: [] });
  try {
    metrics.addCounts(1, 1);
    metrics.addErrors({ timeout: 1, [[...CONSUMER_ERROR_KINDS][0]!]: 1 });
    for (const kind of LATENCY_KINDS) {
      const h = createHistogram();
      h.recordValue(100);
      metrics.addLatency(kind, h);
      h.destroy();
    }
    metrics.setPhase("measure");
    metrics.setFault("freeze", "pause", true);
    const text = await metrics.text();
    return new Set(
      text
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
    );
  } finally {
    metrics.destroy();
  }
}

/** Every PromQL expression in the dashboard: panel targets, annotations, template queries. */
function expressions(dashboard: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key?: string) => {
    if (typeof node === "string") {
      if (key === "expr" || (key === "query" && /\(/.test(node))) out.push(node);
      return;
    }
    if (Array.isArray(node)) for (const n of node) walk(n);
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(dashboard);
  return out;
}

/** The metric names an expression selects: what is left after strings, matchers, ranges, groupings, variables. */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\$\{?\w+\}?/g, "")
    .replace(/label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*\w+\s*\)/g, "$1");
  const words = stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return words.filter((w) => !PROMQL.has(w));
}

const dashboard = JSON.parse(await readFile("docs/grafana-dashboard.json", "utf8")) as {
  panels: Array<{ id: number; type: string; title: string; targets?: Array<{ expr: string }> }>;
  annotations: { list: Array<{ expr?: string }> };
};
const exprs = expressions(dashboard);
const exported = await exportedNames();

describe("the Grafana dashboard", () => {
  it("reads names the way PromQL does", () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le) (rate(benchline_e2e_latency_seconds_bucket{profile=~"$profile", x="a{b}"}[$__rate_interval])))',
      ),
    ).toEqual(["benchline_e2e_latency_seconds_bucket"]);
    expect(metricNamesIn("label_values(benchline_run_phase, profile)")).toEqual(["benchline_run_phase"]);
    expect(metricNamesIn("sum(rate(bencline_published_total[1m]))")).toEqual(["bencline_published_total"]);
  });

  it("derives the exported names from the code: every latency kind's histogram, counters, phase", () => {
    for (const name of [
      "benchline_published_total",
      "benchline_consumed_total",
      "benchline_publish_errors_total",
      "benchline_consumer_errors_total",
      "benchline_run_phase",
      "benchline_fault_active",
      "benchline_pub_ack_latency_seconds_bucket",
      "benchline_send_lag_latency_seconds_count",
    ])
      expect(exported).toContain(name);
    expect([...exported].filter((n) => n.endsWith("_bucket"))).toHaveLength(LATENCY_KINDS.length);
  });

  it("every query names only series benchline exports", () => {
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      const names = metricNamesIn(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${name} in ${expr}`).toBe(true);
    }
  });

  it("shows throughput, errors, every latency kind's percentiles, the phase and the fault windows", () => {
    const all = exprs.flatMap(metricNamesIn);
    for (const name of [...exported].filter((n) => !n.endsWith("_sum") && !n.endsWith("_count")))
      expect(all, `${name} is on no panel`).toContain(name);
    expect(all).toContain("benchline_fault_active");
    // Percentiles come from the buckets, summed by le across series before the quantile.
    const quantiles = exprs.filter((e) => e.includes("histogram_quantile"));
    expect(quantiles.length).toBeGreaterThanOrEqual(LATENCY_KINDS.length * 2);
    for (const e of quantiles)
      expect(e).toMatch(/histogram_quantile\(0\.\d+, sum by \(le\) \(rate\(\w+_bucket\{/);
    expect(dashboard.annotations.list.some((a) => a.expr?.includes("benchline_fault_active"))).toBe(true);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
