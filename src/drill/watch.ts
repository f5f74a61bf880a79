/**
 * The alert drill's timeline: a pure reducer from what was observed (Prometheus and Alertmanager polls,
 * webhook arrivals, the run's fault and load marks, each on one monotonic clock in ms) to what each alert
 * did. Kept apart from the polling and the verdicts, as Jepsen keeps its checker apart from its nemesis.
 */

/** An alert in Prometheus' /api/v1/alerts: one series of a rule that is pending or firing. */
export interface PromAlert {
  name: string;
  state: "pending" | "firing";
  labels: Record<string, string>;
}

/** An alert in Alertmanager's /api/v2/alerts. */
export interface AmAlert {
  name: string;
  /** active | suppressed | unprocessed */
  state: string;
  receivers: string[];
  silenced: boolean;
  inhibited: boolean;
}

/** One alert of a webhook notification. */
export interface NotifiedAlert {
  name: string;
  status: "firing" | "resolved";
}

export type DrillObservation =
  /** `initial`: the poll before any load; what it shows was there before the drill. */
  | { source: "prometheus"; atMs: number; alerts: PromAlert[]; initial?: boolean }
  | { source: "alertmanager"; atMs: number; alerts: AmAlert[] }
  | { source: "webhook"; atMs: number; receiver: string; alerts: NotifiedAlert[] }
  | { source: "fault"; atMs: number; name: string; state: "start" | "end" }
  | { source: "load"; atMs: number; state: "start" | "end" };

/** What one alert name did, on the drill's clock (ms). Several series of one rule count as one alert. */
export interface AlertTrack {
  name: string;
  /** Pending or firing before the drill began. */
  preexisting: boolean;
  pendingAtMs?: number;
  firingAtMs?: number;
  /** First seen in Alertmanager. */
  routedAtMs?: number;
  /** First webhook notification that it fires. */
  notifiedAtMs?: number;
  /** Gone from Prometheus after it fired (cleared when it fires again). */
  resolvedAtMs?: number;
  /** First webhook notification that it resolved. */
  resolvedNotifiedAtMs?: number;
  /** It was firing before the first fault started (or on a run without faults). */
  firedBeforeFault: boolean;
  receivers: string[];
  /** Alertmanager's last word: active, suppressed (silenced or inhibited), unprocessed. */
  amState?: string;
  silenced: boolean;
  inhibited: boolean;
}

export interface WatchState {
  loadStartMs?: number;
  loadEndMs?: number;
  /** The first fault's start: the origin of every reported time. */
  faultStartMs?: number;
  /** The last fault's end: recovery, from which resolution is timed. */
  faultEndMs?: number;
  polls: number;
  alerts: Record<string, AlertTrack>;
}

export const emptyWatch = (): WatchState => ({ polls: 0, alerts: {} });

function track(state: WatchState, name: string): AlertTrack {
  state.alerts[name] ??= {
    name,
    preexisting: false,
    firedBeforeFault: false,
    receivers: [],
    silenced: false,
    inhibited: false,
  };
  return state.alerts[name];
}

/** The state after one observation; the input is left as it was. */
export function observe(before: WatchState, obs: DrillObservation): WatchState {
  const state = structuredClone(before);
  switch (obs.source) {
    case "load":
      if (obs.state === "start") state.loadStartMs ??= obs.atMs;
      else state.loadEndMs = obs.atMs;
      break;
    case "fault":
      if (obs.state === "start") state.faultStartMs ??= obs.atMs;
      else state.faultEndMs = Math.max(state.faultEndMs ?? 0, obs.atMs);
      break;
    case "prometheus": {
      state.polls++;
      const seen = new Map<string, PromAlert["state"]>();
      for (const a of obs.alerts) if (seen.get(a.name) !== "firing") seen.set(a.name, a.state);
      for (const [name, s] of seen) {
        const t = track(state, name);
        if (obs.initial) {
          t.preexisting = true;
          continue;
        }
        if (t.preexisting) continue;
        t.pendingAtMs ??= obs.atMs;
        if (s === "firing") {
          if (t.firingAtMs === undefined) {
            t.firingAtMs = obs.atMs;
            if (state.faultStartMs === undefined) t.firedBeforeFault = true;
          }
          delete t.resolvedAtMs;
        }
      }
      for (const t of Object.values(state.alerts)) {
        if (seen.has(t.name) || t.firingAtMs === undefined) continue;
        t.resolvedAtMs ??= obs.atMs;
      }
      break;
    }
    case "alertmanager":
      for (const a of obs.alerts) {
        const t = track(state, a.name);
        if (t.preexisting && t.firingAtMs === undefined) continue;
        t.routedAtMs ??= obs.atMs;
        t.receivers = [...new Set([...t.receivers, ...a.receivers])].sort();
        t.amState = a.state;
        t.silenced ||= a.silenced;
        t.inhibited ||= a.inhibited;
      }
      break;
    case "webhook":
      for (const a of obs.alerts) {
        const t = track(state, a.name);
        if (a.status === "firing") t.notifiedAtMs ??= obs.atMs;
        else if (t.notifiedAtMs !== undefined) t.resolvedNotifiedAtMs ??= obs.atMs;
        if (!t.receivers.includes(obs.receiver)) t.receivers = [...t.receivers, obs.receiver].sort();
      }
      break;
  }
  return state;
}

/** The origin of reported times: the first fault's start, else the load's (a run without faults). */
export function originMs(state: WatchState): number | undefined {
  return state.faultStartMs ?? state.loadStartMs;
}
