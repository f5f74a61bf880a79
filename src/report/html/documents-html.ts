/** The HTML report of each kind of benchline file. */
import { latencyDistributions } from "../../baseline/distributions.js";
import type { RunEnv } from "../../contract/env.js";
import { renderBaselineMarkdown } from "../baseline-markdown.js";
import { renderCapacityMarkdown } from "../capacity-markdown.js";
import { capacityChart, capacityLatencyKind } from "../charts/capacity-chart.js";
import { compareCharts } from "../charts/compare-charts.js";
import { percentileChart } from "../charts/percentile-chart.js";
import { runCharts } from "../charts/run-charts.js";
import type { ChartSpec } from "../charts/spec.js";
import { sideLabels } from "../compare-labels.js";
import { renderCompareMarkdown } from "../compare-markdown.js";
import type { BenchlineDocument } from "../documents.js";
import { renderMarkdown } from "../markdown.js";
import { describeServerConfig } from "../server-config-line.js";
import { renderHtmlPage } from "./page.js";

export function environmentRows(env: RunEnv | undefined, prefix = ""): Array<[string, string]> {
  if (!env) return [];
  const rows: Array<[string, string | undefined]> = [
    ["host", `${env.host} (${env.cpus} CPUs)`],
    ["Node", env.node],
    ["client", env.client],
    ["benchline", env.benchline],
    [
      "nats-server",
      `${env.serverVersion ?? "unknown"}${env.clusterSize > 1 ? `, ${env.clusterSize} nodes` : ""}${env.embeddedServer ? ", embedded" : ""}`,
    ],
    ["server config", describeServerConfig(env)],
    ["git", env.gitSha],
  ];
  return rows.flatMap(([k, v]) => (v === undefined ? [] : [[`${prefix}${k}`, v] as [string, string]]));
}

/** Charts of a document, as the PNG and HTML outputs draw them. */
export function documentCharts(d: BenchlineDocument): ChartSpec[] {
  switch (d.kind) {
    case "run":
      return runCharts(d.doc);
    case "compare":
      return compareCharts(d.doc);
    case "capacity":
      return capacityLatencyKind(d.doc) ? [capacityChart(d.doc)] : [];
    case "baseline": {
      const merged = latencyDistributions(d.doc.runs, d.doc.runs);
      if (merged.length === 0) return [];
      return [
        percentileChart(
          "percentiles",
          `Latency by percentile: baseline ${d.doc.profile.name}, ${d.doc.runs.length} runs merged`,
          merged.map((m) => ({ label: m.kind, hdr: m.baselineHdr })),
        ),
      ];
    }
  }
}

export function documentMarkdown(d: BenchlineDocument): string {
  switch (d.kind) {
    case "run":
      return renderMarkdown(d.doc);
    case "compare":
      return renderCompareMarkdown(d.doc);
    case "capacity":
      return renderCapacityMarkdown(d.doc);
    case "baseline":
      return renderBaselineMarkdown(d.doc);
  }
}

export function renderDocumentHtml(d: BenchlineDocument): string {
  const side = d.kind === "compare" ? sideLabels(d.doc) : undefined;
  const title =
    d.kind === "compare"
      ? `${side!.command}: ${d.doc.baseline.profile}, ${side!.versus}`
      : `benchline ${d.kind}: ${d.doc.profile.name}`;
  const environment =
    d.kind === "compare"
      ? [
          ...environmentRows(d.doc.baseline.env, `${side!.baseline} `),
          ...environmentRows(d.doc.candidate.env, `${side!.candidate} `),
        ]
      : environmentRows(d.doc.env);
  return renderHtmlPage({ title, markdown: documentMarkdown(d), environment, charts: documentCharts(d) });
}
