/** The drill in result.json (`drill`), and how it is built from the timeline and the run's faults. Pure. */
import type { RunResult } from "../contract/result.js";
import type { DrillAlertResult, DrillVerdict } from "./verdict.js";
import type { WatchState } from "./watch.js";

/** The intervals that bound what a drill can measure. */
export interface DrillIntervals {
  scrapeS: number;
  evaluationS: number;
  groupWaitS: number;
  groupIntervalS: number;
}

export interface DrillResult {
  /** The value of the `drill` label on /metrics and of the Benchline-Drill header on published messages. */
  id: string;
  /** embedded: the Prometheus and Alertmanager benchline started; external: the user's. */
  stack: "embedded" | "external";
  prometheusUrl: string;
  alertmanagerUrl?: string;
  webhookUrl?: string;
  /** Which rules, and their windows and `for:`. */
  rules: string;
  /** Known for the embedded stack; the user's own otherwise. */
  intervals?: DrillIntervals;
  pollMs: number;
  /** The origin of every time: the first fault, on the measured phase's time base. */
  fault?: { name: string; atS: number };
  /** The last fault's end, in ms from the origin. */
  recoveryMs?: number;
  resolveWithinMs: number;
  /** Polls that failed mid-drill (the drill goes on). */
  pollErrors: number;
  alerts: DrillAlertResult[];
  passed: boolean;
  failures: string[];
}

/** A run result with its drill. */
export type DrillRunResult = RunResult & { drill: DrillResult };

export type DrillSetup = Omit<
  DrillResult,
  "fault" | "recoveryMs" | "pollErrors" | "alerts" | "passed" | "failures"
>;

export function drillResult(
  setup: DrillSetup,
  run: RunResult,
  state: WatchState,
  verdict: DrillVerdict,
  pollErrors: number,
): DrillResult {
  const first = (run.faults ?? []).filter((f) => f.atS !== undefined).sort((a, b) => a.atS! - b.atS!)[0];
  const origin = state.faultStartMs;
  return {
    ...setup,
    ...(first && { fault: { name: first.name, atS: first.atS! } }),
    ...(origin !== undefined &&
      state.faultEndMs !== undefined && { recoveryMs: Math.round(state.faultEndMs - origin) }),
    pollErrors,
    alerts: verdict.alerts,
    passed: verdict.passed,
    failures: verdict.failures,
  };
}
