/** How reports word a verdict's resolution and a run-until-resolved stop. Pure. */

import type { SequentialStop } from "../baseline/report-model.js";
import type { MetricResolution } from "../baseline/resolution.js";

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? "none" : `${(x * 100).toFixed(1)}%`;

/** A metric's resolution in a table cell: "12.3%", or "-" where it has none. */
export function formatResolution(r: MetricResolution | undefined): string {
  if (!r || r.spreadLog === null) return "-";
  return r.change === null ? "none" : pct(r.change);
}

/** The runs --detect asks for, in a table cell. */
export function formatDetectRuns(r: MetricResolution | undefined): string {
  if (!r?.detect) return "-";
  return r.detect.runs === null ? "> 1000" : String(r.detect.runs);
}

/** One line on what the resolution column means. */
export function resolutionNote(power: number, detect: number | undefined, unit = "candidate runs"): string {
  return `resolution: the smallest change the verdict calls regressed with ${Math.round(power * 100)}% power, from the runs' spread${detect === undefined ? "" : `; runs for ${pct(detect)}: the ${unit} that would detect that change`}`;
}

/** The verdict's sentence on how the runs stopped. */
export function stopSentence(stop: SequentialStop, unit = "runs"): string {
  if (stop.reason === "resolved")
    return `resolved: every metric resolves ${pct(stop.reached)} (target ${pct(stop.target)}) after ${stop.runs} ${unit}`;
  if (stop.reason === "regressed")
    return `stopped after ${stop.runs} ${unit}: a regression crossed its sequential boundary (resolution then ${pct(stop.reached)}, target ${pct(stop.target)})`;
  return `NOT RESOLVED: stopped at --max-repeat ${stop.maxRuns} ${unit} with resolution ${pct(stop.reached)}, target ${pct(stop.target)}`;
}
