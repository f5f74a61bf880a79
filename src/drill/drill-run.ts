/**
 * One drill: poll Prometheus (and Alertmanager) every `pollMs` while the profile runs with its faults,
 * feed the run's fault marks and the webhook's notifications into the same timeline (one monotonic clock),
 * keep watching after the load until the expected alerts fired and resolved or their time ran out.
 * Emits nothing; the command reports.
 */
import { performance } from "node:perf_hooks";
import type { RunResult } from "../contract/result.js";
import { combineEvents, type RunEvents, type RunOptions, runProfile } from "../engine/run.js";
import type { LoadedProfile } from "../profile/loader.js";
import { alertmanagerAlerts } from "./alertmanager-api.js";
import { prometheusAlerts } from "./prometheus-api.js";
import { type Expectation, watchDone } from "./verdict.js";
import { type DrillObservation, emptyWatch, observe, type WatchState } from "./watch.js";
import type { WebhookNotification } from "./webhook.js";

export interface DrillWatchOptions {
  prometheusUrl: string;
  alertmanagerUrl?: string;
  expected: Expectation[];
  resolveWithinMs: number;
  pollMs: number;
  webhook: boolean;
  /** Stop watching after the load at the latest this long after it ended. */
  maxAfterLoadMs: number;
}

/** The timeline, fed from every source on one clock. */
export class DrillWatch {
  state: WatchState = emptyWatch();
  pollErrors = 0;
  lastPollError?: string;

  add(obs: DrillObservation): void {
    this.state = observe(this.state, obs);
  }

  /** What the webhook receiver calls on each notification. */
  notified = (n: WebhookNotification): void => {
    this.add({ source: "webhook", atMs: performance.now(), receiver: n.receiver, alerts: n.alerts });
  };

  /** Run events that mark the load's start and each fault's start and end. */
  events(): RunEvents {
    return {
      onTick: () => {
        if (this.state.loadStartMs === undefined)
          this.add({ source: "load", atMs: performance.now(), state: "start" });
      },
      onFault: (name, state) => this.add({ source: "fault", atMs: performance.now(), name, state }),
    };
  }

  async poll(
    opts: Pick<DrillWatchOptions, "prometheusUrl" | "alertmanagerUrl">,
    initial = false,
  ): Promise<void> {
    try {
      const [prom, am] = await Promise.all([
        prometheusAlerts(opts.prometheusUrl),
        opts.alertmanagerUrl ? alertmanagerAlerts(opts.alertmanagerUrl) : Promise.resolve(undefined),
      ]);
      // One instant for both answers: the poll's end, when both were known.
      const atMs = performance.now();
      this.add({ source: "prometheus", atMs, alerts: prom, ...(initial && { initial }) });
      if (am) this.add({ source: "alertmanager", atMs, alerts: am });
    } catch (err) {
      if (initial) throw err;
      this.pollErrors++;
      this.lastPollError = (err as Error).message;
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** Runs the profile while watching; returns the run's result and the timeline. */
export async function runDrill(
  loaded: LoadedProfile,
  runOptions: RunOptions,
  events: RunEvents,
  watch: DrillWatch,
  opts: DrillWatchOptions,
): Promise<{ result: RunResult; state: WatchState }> {
  await watch.poll(opts, true);
  let loadDone = false;
  const poller = (async () => {
    let loadEndMs: number | undefined;
    while (!runOptions.signal.aborted) {
      const started = performance.now();
      await watch.poll(opts);
      if (loadDone) {
        loadEndMs ??= performance.now();
        const now = performance.now();
        if (watchDone(watch.state, opts.expected, now, opts) || now - loadEndMs > opts.maxAfterLoadMs) return;
      }
      await sleep(Math.max(0, opts.pollMs - (performance.now() - started)), runOptions.signal);
    }
  })();
  let result: RunResult;
  try {
    result = await runProfile(loaded, runOptions, combineEvents(events, watch.events()));
  } finally {
    loadDone = true;
    watch.add({ source: "load", atMs: performance.now(), state: "end" });
  }
  await poller;
  return { result, state: watch.state };
}
