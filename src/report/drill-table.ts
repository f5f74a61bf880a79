/** The drill's timeline as a terminal table and as Markdown. Pure: (drill) => string. */
import Table from "cli-table3";
import type { DrillResult } from "../drill/result.js";
import type { DrillAlertResult } from "../drill/verdict.js";
import { counted } from "../util/plural.js";

const plain = { head: [], border: [], compact: true };

const HEAD = [
  "alert",
  "pending",
  "firing",
  "in Alertmanager",
  "notified",
  "resolved",
  "receivers",
  "verdict",
];

/** ms from the fault's start as "+5.2 s"; "-" when it never happened. */
export function formatDrillMs(ms: number | undefined): string {
  if (ms === undefined) return "-";
  return `${ms < 0 ? "-" : "+"}${(Math.abs(ms) / 1000).toFixed(1)} s`;
}

function row(a: DrillAlertResult): string[] {
  const am = a.amState && a.amState !== "active" ? ` (${a.amState})` : "";
  return [
    a.expected ? a.name : `${a.name} (not expected)`,
    formatDrillMs(a.pendingMs),
    formatDrillMs(a.firingMs),
    `${formatDrillMs(a.routedMs)}${am}`,
    formatDrillMs(a.notifiedMs),
    formatDrillMs(a.resolvedMs),
    a.receivers.join(", ") || "-",
    `${a.passed ? "ok" : "FAIL"}: ${a.verdict.replace(/^failed: /, "")}`,
  ];
}

/** What the times count from and what bounds them. */
export function drillSetupLines(d: DrillResult): string[] {
  const origin = d.fault
    ? `times from the start of fault ${d.fault.name} (${d.fault.atS} s into the measured phase)${d.recoveryMs !== undefined ? `; recovery at ${formatDrillMs(d.recoveryMs)}` : ""}`
    : "no fault: times from the start of the load";
  const intervals = d.intervals
    ? `scrape ${d.intervals.scrapeS} s, evaluation ${d.intervals.evaluationS} s, group_wait ${d.intervals.groupWaitS} s, group_interval ${d.intervals.groupIntervalS} s`
    : "the stack's own scrape and evaluation intervals";
  return [
    `drill ${d.id} (${d.stack} stack: Prometheus ${d.prometheusUrl}${d.alertmanagerUrl ? `, Alertmanager ${d.alertmanagerUrl}` : ""}${d.webhookUrl ? `, webhook ${d.webhookUrl}` : ""})`,
    origin,
    `${d.rules}; ${intervals}; polled every ${d.pollMs} ms${d.pollErrors > 0 ? ` (${d.pollErrors} polls failed)` : ""}`,
  ];
}

function verdictLine(d: DrillResult): string {
  return d.passed
    ? `drill passed: ${counted(d.alerts.filter((a) => a.expected).length, "expected alert")} fired in time`
    : `drill FAILED: ${d.failures.join("; ")}`;
}

export function renderDrillTable(d: DrillResult): string {
  const t = new Table({ head: HEAD, style: plain });
  for (const a of d.alerts) t.push(row(a));
  const body = d.alerts.length > 0 ? t.toString() : "no alert fired, and none was expected";
  return `${[...drillSetupLines(d), "", body, "", verdictLine(d)].join("\n")}\n`;
}

export function renderDrillMarkdown(d: DrillResult): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    "## Alert drill",
    "",
    ...drillSetupLines(d).map((l) => `- ${cell(l)}`),
    "",
    `| ${HEAD.join(" | ")} |`,
    `| ${HEAD.map(() => "---").join(" | ")} |`,
    ...d.alerts.map((a) => `| ${row(a).map(cell).join(" | ")} |`),
    "",
    `**${verdictLine(d)}**`,
    "",
  ];
  return lines.join("\n");
}
