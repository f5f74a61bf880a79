/**
 * The drill's verdicts, from the timeline (watch.ts): each expected alert fires within its deadline, is
 * notified when a webhook listens, and resolves within the stated time after recovery; no watched alert
 * fires on the clean warm-up before the first fault. Pure.
 */
import { originMs, type WatchState } from "./watch.js";

/** `--expect NAME=30s`. */
export interface Expectation {
  name: string;
  /** From the first fault's start. */
  deadlineMs: number;
}

/** One alert in result.json's `drill.alerts`: each time in ms from the first fault's start. */
export interface DrillAlertResult {
  name: string;
  expected: boolean;
  deadlineMs?: number;
  pendingMs?: number;
  firingMs?: number;
  /** First seen in Alertmanager. */
  routedMs?: number;
  /** The webhook notification that it fires arrived. */
  notifiedMs?: number;
  /** Gone from Prometheus' alerts. */
  resolvedMs?: number;
  resolvedNotifiedMs?: number;
  receivers: string[];
  amState?: string;
  silenced: boolean;
  inhibited: boolean;
  passed: boolean;
  /** One sentence: why it passed or failed. */
  verdict: string;
}

export interface VerdictOptions {
  /** Alert names whose firing before the first fault is a false alarm (the expected ones always are). */
  watched: Set<string>;
  /** An alert still firing this long after the last fault ended fails. */
  resolveWithinMs: number;
  /** A webhook receiver listens: an expected alert must reach it. */
  webhook: boolean;
}

export interface DrillVerdict {
  alerts: DrillAlertResult[];
  passed: boolean;
  failures: string[];
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function drillVerdict(state: WatchState, expected: Expectation[], opts: VerdictOptions): DrillVerdict {
  const origin = originMs(state) ?? 0;
  const rel = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms - origin));
  const recoveryMs = rel(state.faultEndMs);
  const deadlines = new Map(expected.map((e) => [e.name, e.deadlineMs]));
  const names = [...new Set([...expected.map((e) => e.name), ...Object.keys(state.alerts)])];
  const alerts: DrillAlertResult[] = [];
  for (const name of names) {
    const t = state.alerts[name];
    const isExpected = deadlines.has(name);
    if (!isExpected && (!t || t.firingAtMs === undefined || t.preexisting)) continue;
    const deadlineMs = deadlines.get(name);
    const r: DrillAlertResult = {
      name,
      expected: isExpected,
      ...(deadlineMs !== undefined && { deadlineMs }),
      pendingMs: rel(t?.pendingAtMs),
      firingMs: rel(t?.firingAtMs),
      routedMs: rel(t?.routedAtMs),
      notifiedMs: rel(t?.notifiedAtMs),
      resolvedMs: rel(t?.resolvedAtMs),
      resolvedNotifiedMs: rel(t?.resolvedNotifiedAtMs),
      receivers: t?.receivers ?? [],
      ...(t?.amState !== undefined && { amState: t.amState }),
      silenced: t?.silenced ?? false,
      inhibited: t?.inhibited ?? false,
      passed: true,
      verdict: "",
    };
    for (const k of Object.keys(r) as Array<keyof DrillAlertResult>) if (r[k] === undefined) delete r[k];
    r.verdict = judge(r, t?.preexisting ?? false, t?.firedBeforeFault ?? false, recoveryMs, opts);
    r.passed = !r.verdict.startsWith("failed");
    if (!isExpected && !r.passed && !opts.watched.has(name)) {
      // Someone else's alert: shown, never held against the drill.
      r.passed = true;
      r.verdict = `not expected: ${r.verdict.replace(/^failed: /, "")}`;
    }
    alerts.push(r);
  }
  const failures = alerts.filter((a) => !a.passed).map((a) => `${a.name} ${a.verdict}`);
  if (state.faultStartMs === undefined && expected.length > 0)
    failures.unshift("no fault started, so no expected alert could be timed");
  return { alerts, passed: failures.length === 0, failures };
}

function judge(
  r: DrillAlertResult,
  preexisting: boolean,
  early: boolean,
  recoveryMs: number | undefined,
  opts: VerdictOptions,
): string {
  if (preexisting) return "failed: already pending or firing before the drill began";
  if (early && r.firingMs !== undefined)
    return `failed: fired on the clean warm-up, ${sec(-r.firingMs)} before the first fault`;
  if (r.deadlineMs !== undefined && (r.firingMs === undefined || r.firingMs > r.deadlineMs)) {
    const seen = r.firingMs === undefined ? "never fired" : `fired only at ${sec(r.firingMs)}`;
    const pend =
      r.pendingMs !== undefined && r.firingMs === undefined ? ` (pending at ${sec(r.pendingMs)})` : "";
    return `failed: did not fire within ${sec(r.deadlineMs)} of the fault's start: ${seen}${pend}`;
  }
  if (r.expected && opts.webhook && r.notifiedMs === undefined)
    return `failed: fired at ${sec(r.firingMs!)} but no webhook notification arrived`;
  if (recoveryMs !== undefined && r.firingMs !== undefined) {
    const limit = recoveryMs + opts.resolveWithinMs;
    if (r.resolvedMs === undefined || r.resolvedMs > limit)
      return `failed: still firing ${sec(opts.resolveWithinMs)} after recovery (the last fault ended at ${sec(recoveryMs)})`;
  }
  if (r.firingMs === undefined) return "did not fire";
  const notified = r.notifiedMs === undefined ? "" : `, notified at ${sec(r.notifiedMs)}`;
  const resolved = r.resolvedMs === undefined ? "" : `, resolved at ${sec(r.resolvedMs)}`;
  return `fired at ${sec(r.firingMs)}${notified}${resolved}`;
}

/**
 * Whether watching can stop: every expected alert fired (or its deadline passed), notified when a webhook
 * listens, and everything that fired resolved (or the time allowed after recovery passed).
 */
export function watchDone(
  state: WatchState,
  expected: Expectation[],
  nowMs: number,
  opts: Pick<VerdictOptions, "resolveWithinMs" | "webhook">,
): boolean {
  const origin = state.faultStartMs;
  if (origin === undefined) return true;
  for (const e of expected) {
    const t = state.alerts[e.name];
    if (t?.firingAtMs === undefined && nowMs < origin + e.deadlineMs) return false;
    if (t?.firingAtMs !== undefined && opts.webhook && t.notifiedAtMs === undefined) {
      if (nowMs < t.firingAtMs + opts.resolveWithinMs) return false;
    }
  }
  const recovery = state.faultEndMs ?? origin;
  const unresolved = Object.values(state.alerts).some(
    (t) => t.firingAtMs !== undefined && t.resolvedAtMs === undefined,
  );
  return !unresolved || nowMs >= recovery + opts.resolveWithinMs;
}
