/**
 * Reports of `history show`: per metric, the series, its change points, the regimes' medians and the
 * points where the environment changed (labelled as such, not as regressions). Pure.
 */

import { environmentDiff, type MetricHistory } from "../history/check.js";
import type { EntrySummary } from "../history/entry.js";
import { counted } from "../util/plural.js";
import { axisTitle, baseOptions, type ChartSpec, COLOURS } from "./charts/spec.js";
import { formatMetric, formatPercent } from "./format-metric.js";

/** Indices where an entry's environment or profile differs from the one before, and how. */
export function environmentChanges(
  m: MetricHistory,
  entries: EntrySummary[],
): Array<{ index: number; text: string }> {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return m.points.flatMap((p, i) => {
    if (i === 0) return [];
    const text = environmentDiff(byId.get(m.points[i - 1]!.entryId)!, byId.get(p.entryId)!);
    return text ? [{ index: i, text }] : [];
  });
}

function marks(m: MetricHistory, entries: EntrySummary[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (i: number, text: string) => out.set(i, [...(out.get(i) ?? []), text]);
  for (const c of m.changes)
    add(
      c.index,
      c.environmentChange
        ? `change ${formatPercent(c.change)} (environment)`
        : `change ${formatPercent(c.change)}`,
    );
  for (const e of environmentChanges(m, entries)) add(e.index, `environment: ${e.text}`);
  return out;
}

function pointRows(m: MetricHistory, entries: EntrySummary[]): string[][] {
  const notes = marks(m, entries);
  return m.points.map((p, i) => [
    p.time,
    p.gitSha?.slice(0, 12) ?? "-",
    p.serverVersion ?? "-",
    formatMetric(m.metric, p.value),
    (notes.get(i) ?? []).join("; "),
  ]);
}

const HEAD = ["time", "git", "server", "value", "note"];

export function renderHistoryShowTable(
  profile: string,
  metrics: MetricHistory[],
  entries: EntrySummary[],
): string {
  const blocks = metrics.map((m) => {
    const all = [HEAD, ...pointRows(m, entries)];
    const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
    const regimes = m.regimes
      .map((r) => `${formatMetric(m.metric, r.median)} (${counted(r.to - r.from, "run")})`)
      .join(" -> ");
    return [
      `${m.metric}: ${counted(m.points.length, "run")}, ${counted(m.changes.length, "change point")}${regimes ? `; regimes ${regimes}` : ""}`,
      ...all.map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      ),
    ].join("\n");
  });
  return `history of ${profile}\n\n${blocks.join("\n\n")}\n`;
}

export function renderHistoryShowMarkdown(
  profile: string,
  metrics: MetricHistory[],
  entries: EntrySummary[],
): string {
  const lines = [`## benchline history: ${profile}`, ""];
  for (const m of metrics) {
    const regimes = m.regimes
      .map((r) => `${formatMetric(m.metric, r.median)} (${counted(r.to - r.from, "run")})`)
      .join(" → ");
    lines.push(
      `### ${m.metric}`,
      "",
      `${counted(m.points.length, "run")}, ${counted(m.changes.length, "change point")}${regimes ? `; regimes ${regimes}` : ""}.`,
      "",
    );
    lines.push(`| ${HEAD.join(" | ")} |`, `| ${HEAD.map(() => "---").join(" | ")} |`);
    for (const r of pointRows(m, entries)) lines.push(`| ${r.join(" | ")} |`);
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

/** One chart per metric: the values, the regimes' medians as steps, change points and environment changes as lines. */
export function historyCharts(
  profile: string,
  metrics: MetricHistory[],
  entries: EntrySummary[],
): ChartSpec[] {
  return metrics.map((m) => {
    const toAxis = m.unit === "us" ? (v: number) => v / 1000 : (v: number) => v;
    const unit = m.unit === "us" ? "ms" : m.unit;
    const regimeAt = (i: number) => m.regimes.find((r) => i >= r.from && i < r.to)?.median;
    const lines = [
      ...m.changes.map((c) => ({
        at: c.index,
        label: c.environmentChange
          ? `environment change ${formatPercent(c.change)}`
          : `change ${formatPercent(c.change)}`,
        color: c.environmentChange ? "#1f77b4" : "#d62728",
      })),
      ...environmentChanges(m, entries)
        .filter((e) => !m.changes.some((c) => c.index === e.index))
        .map((e) => ({ at: e.index, label: `environment: ${e.text}`, color: "#1f77b4" })),
    ];
    const base = baseOptions(
      `${profile} ${m.metric}`,
      `${counted(m.points.length, "run")}, ${counted(m.changes.length, "change point")}`,
    );
    return {
      name: `history-${m.metric.replace(/[^A-Za-z0-9]+/g, "-")}`,
      title: `${profile} ${m.metric}`,
      config: {
        type: "line",
        data: {
          datasets: [
            {
              label: m.metric,
              data: m.points.map((p, i) => ({ x: i, y: toAxis(p.value) })),
              borderColor: COLOURS.p99,
              pointRadius: 2,
              borderWidth: 1,
            },
            {
              label: "regime median",
              data: m.points.map((_, i) => ({ x: i, y: toAxis(regimeAt(i) ?? Number.NaN) })),
              borderColor: COLOURS.baseline,
              stepped: true,
              pointRadius: 0,
              borderWidth: 2,
            },
          ],
        },
        options: {
          ...base,
          scales: {
            x: { type: "linear", title: axisTitle("run (oldest first)") },
            y: { type: "linear", title: axisTitle(`${m.metric} (${unit})`) },
          },
          plugins: {
            ...base.plugins,
            benchline: { lines },
          },
        },
      },
    } as ChartSpec;
  });
}
