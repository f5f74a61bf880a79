/** The sentence a compare report gives its machine control (table, Markdown, JUnit). Pure. */
import type { MachineControlReport } from "../baseline/machine-control.js";
import { formatPercent } from "./format-metric.js";

export function machineControlSentence(c: MachineControlReport): string {
  if (!c.applied) return `machine control: not applied, latency compared as measured (${c.reason})`;
  return `machine control: ${c.name} ${c.baselineMedianUs!.toFixed(1)} us on the baseline's side, ${c.candidateMedianUs!.toFixed(1)} us on the candidate's (${formatPercent(c.change!)}); latency up to p95 is also compared at the baseline's machine speed, and called regressed only when it is so both ways`;
}
