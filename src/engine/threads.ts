/**
 * How many worker threads a run gets when the profile and flags leave it open: enough for the load,
 * never more than the host can spare. A server on the same host (the embedded default, every CI runner)
 * keeps a core of its own, or part of the latency benchline reports would be its own contention.
 */
import type { Profile } from "../contract/profile.js";
import { opEventsPerSec } from "./op-load.js";
import { covers } from "./plan.js";

/**
 * Message events (a send, a PubAck or reply, a delivery and its ack count one each) one thread takes
 * per second and still stays mostly idle, so that a send or an ack never waits behind others. Measured
 * here (`npm run bench`, footprint): about 5 us of CPU per event, so this is about a fifth of a core.
 */
export const EVENTS_PER_THREAD = 40_000;

/** The thread count and the reason, as the result's env states them. */
export interface ThreadSizing {
  threads: number;
  reason: string;
}

export interface HostShape {
  cpus: number;
  /** A server of the run shares this host (embedded, or reached over loopback). */
  serverOnHost: boolean;
  /** Loads that run side by side on this host (tenants) and share its threads. */
  parties?: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Message events per second the profile's load asks of the generator; Infinity for a closed loop. */
export function loadEventsPerSec(profile: Profile): number {
  let events = 0;
  for (const p of profile.publishers) {
    if (p.ratePerSec === "max") return Number.POSITIVE_INFINITY;
    events += p.ratePerSec * (p.mode === "core" ? 1 : 2);
  }
  for (const c of profile.consumers) {
    const covered = profile.publishers
      .filter((p) => covers(c, p))
      .reduce((n, p) => n + Number(p.ratePerSec), 0);
    const shared = c.kind === "queue" || c.kind === "pull" || c.kind === "push";
    const perDelivery = c.kind !== "core" && c.kind !== "queue" && c.ackPolicy !== "none" ? 2 : 1;
    events += covered * (shared ? 1 : c.count) * perDelivery;
  }
  // A responder answers what request publishers send: counted once with its requests' replies above.
  return events + opEventsPerSec(profile);
}

export function sizeThreads(profile: Profile, host: HostShape): ThreadSizing {
  if (profile.workers !== undefined)
    return { threads: profile.workers, reason: "set by the profile or --workers" };
  const parties = host.parties ?? 1;
  const spare = host.serverOnHost ? host.cpus - 1 : host.cpus;
  const cap = Math.max(1, Math.floor(spare / parties));
  const capWhy = host.serverOnHost
    ? `${host.cpus} CPUs less 1 kept for the server on this host`
    : `${host.cpus} CPUs`;
  const shareWhy = parties > 1 ? `, shared by ${parties} loads side by side` : "";
  const events = loadEventsPerSec(profile);
  if (!Number.isFinite(events))
    return {
      threads: cap,
      reason: `auto: a closed loop (rate max) takes what it may: ${cap} of ${capWhy}${shareWhy}`,
    };
  const wanted = Math.max(1, Math.ceil(events / EVENTS_PER_THREAD));
  const threads = Math.min(wanted, cap);
  // Consume only: no rate to size from; its consumers read the backlog as fast as it comes.
  if (events === 0)
    return { threads, reason: `auto: consume only, ${threads} thread reading as fast as it can` };
  const need = `${fmt(events)} message events/s needs ${wanted} at up to ${fmt(EVENTS_PER_THREAD)} each`;
  return {
    threads,
    reason: threads < wanted ? `auto: ${need}, capped at ${cap} (${capWhy}${shareWhy})` : `auto: ${need}`,
  };
}

/** Whether a server URL points at this host's loopback. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url.includes("://") ? url : `nats://${url}`).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}
