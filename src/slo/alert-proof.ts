/**
 * Would these alert rules have fired on this run? The run's seconds replayed through the rules
 * (replay.ts, rule-eval.ts), and a verdict: a run with an outage must fire an alert once the outage
 * began, and no alert may fire before the first fault (or at all on a run without faults). Pure.
 */
import type { RunResult } from "../contract/result.js";
import type { SeriesNames } from "./prometheus-names.js";
import type { SloRules } from "./prometheus-rules.js";
import { replaySeries } from "./replay.js";
import { type AlertTimeline, evaluateAlerts, type ReplaySeries } from "./rule-eval.js";

/**
 * A fault is an outage when no publish succeeded for at least this long: a replay has one sample a
 * second, so a shorter stall cannot show in it.
 */
export const OUTAGE_MIN_MS = 1000;

/**
 * A fault on the run's clock: seconds from the start of the measured phase, as the table and the
 * charts count them (the replayed series start with the warmup, before 0).
 */
export interface FaultWindow {
  name: string;
  kind: string;
  fromS: number;
  toS: number;
  unavailableMs: number;
  outage: boolean;
}

/**
 * One alert rule over the replay: when it fired, as the end of a run second, in seconds from the start
 * of the measured phase (the faults' time base).
 */
export interface AlertOutcome {
  alert: string;
  labels: Record<string, string>;
  /** The end of the first run second at which it was firing; absent when it never fired. */
  firstFiringS?: number;
  /** Stretches of consecutive firing seconds, [first, last], each as the end of its second. */
  firingS: Array<[number, number]>;
}

/** What the replay of one run says about the rules. */
export interface RunProof {
  file: string;
  profile: string;
  complete: boolean;
  /** Run seconds replayed (the per-second series' length). */
  seconds: number;
  faults: FaultWindow[];
  alerts: AlertOutcome[];
  passed: boolean;
  /** One sentence: why it passed or failed. */
  verdict: string;
}

/** The proof, and what the promtool test file is written from. */
export interface ProofWork {
  proof: RunProof;
  series: ReplaySeries[];
  timelines: AlertTimeline[];
}

export interface ProofOptions {
  rules: SloRules;
  names: SeriesNames;
  /** The rules' selector labels, put on every replayed series. */
  labels: Record<string, string>;
  /** Prometheus time one run second takes in the replay. */
  stepMs: number;
}

const ms3 = (s: number) => Math.round(s * 1000) / 1000;

function faultWindows(result: RunResult): FaultWindow[] {
  return (result.faults ?? []).flatMap((f) =>
    f.fired && f.atS !== undefined
      ? [
          {
            name: f.name,
            kind: f.kind,
            fromS: ms3(f.atS),
            toS: ms3(f.atS + (f.forS ?? 0)),
            unavailableMs: f.unavailableMs ?? 0,
            outage: (f.unavailableMs ?? 0) >= OUTAGE_MIN_MS,
          },
        ]
      : [],
  );
}

/** A timeline's firing run seconds (ends of seconds from the start instant), on the measured phase's base. */
function outcomeOf(t: AlertTimeline, warmupS: number): AlertOutcome {
  const spans: Array<[number, number]> = [];
  t.firing.forEach((on, s) => {
    if (!on) return;
    const last = spans.at(-1);
    if (last && last[1] === s - 1) last[1] = s;
    else spans.push([s, s]);
  });
  const firingS = spans.map(([a, b]) => [ms3(a - warmupS), ms3(b - warmupS)] as [number, number]);
  return {
    alert: t.rule.alert,
    labels: t.labels,
    ...(firingS.length > 0 && { firstFiringS: firingS[0]![0] }),
    firingS,
  };
}

/** An alert and the labels that tell its rules apart: `ErrorBudgetBurn (14.4x, 1h)`. */
export function alertText(a: Pick<AlertOutcome, "alert" | "labels">): string {
  const burn = a.labels.burn_rate ? ` (${a.labels.burn_rate}x, ${a.labels.long_window})` : "";
  return `${a.alert}${burn}`;
}

function verdictOf(faults: FaultWindow[], alerts: AlertOutcome[]): { passed: boolean; verdict: string } {
  const fired = alerts.filter((a) => a.firstFiringS !== undefined);
  const firstFault = faults.length > 0 ? Math.min(...faults.map((f) => f.fromS)) : undefined;
  // Second s covers (s-1, s]: it ends before a fault starting at or after s.
  const early = fired.filter((a) => firstFault === undefined || a.firstFiringS! <= firstFault);
  if (early.length > 0) {
    const a = early[0]!;
    const when =
      firstFault === undefined ? "on a run without faults" : `before the first fault (at ${firstFault} s)`;
    return { passed: false, verdict: `false alarm: ${alertText(a)} fired at ${a.firstFiringS} s, ${when}` };
  }
  const outages = faults.filter((f) => f.outage);
  if (outages.length === 0) {
    return {
      passed: true,
      verdict:
        firstFault === undefined
          ? "silent on a run without faults, as it should be"
          : `no outage to prove (no fault stopped publishes for ${OUTAGE_MIN_MS / 1000} s or more); ${fired.length} alert rules fired after the first fault`,
    };
  }
  const outage = outages[0]!;
  const after = fired
    .map((a) => ({ a, at: a.firingS.flat().find((s) => s > outage.fromS) }))
    .filter((x) => x.at !== undefined)
    .sort((x, y) => x.at! - y.at!);
  if (after.length === 0) {
    return {
      passed: false,
      verdict: `no alert fired on the outage: fault ${outage.name} (${outage.kind}) left publishes unanswered for ${(outage.unavailableMs / 1000).toFixed(1)} s from ${outage.fromS} s`,
    };
  }
  const first = after[0]!;
  return {
    passed: true,
    verdict: `proven: ${alertText(first.a)} fired at ${first.at} s, after fault ${outage.name} began at ${outage.fromS} s (${after.length} alert rules fired)`,
  };
}

export function proveAlerts(result: RunResult, file: string, o: ProofOptions): ProofWork {
  const kinds = Object.keys(result.latency);
  const series = replaySeries(result, file, o.names, o.labels, kinds);
  const steps = series[0]!.values.length;
  const timelines = evaluateAlerts(o.rules, series, o.stepMs, steps);
  const alerts = timelines.map((t) => outcomeOf(t, result.profile.warmupMs / 1000));
  const faults = faultWindows(result);
  return {
    proof: {
      file,
      profile: result.profile.name,
      complete: result.complete,
      seconds: steps - 1,
      faults,
      alerts,
      ...verdictOf(faults, alerts),
    },
    series,
    timelines,
  };
}
