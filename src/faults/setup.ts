/**
 * Everything a fault run needs around the load, built before it starts and undone after: the check
 * that the target can take each fault, the fault proxies the clients connect through (for network
 * faults), the node handles, the leader lookups, and the timeline itself.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { FaultSpec } from "../contract/faults.js";
import type { Profile } from "../contract/profile.js";
import { connectNats } from "../engine/transport.js";
import { UsageError } from "../errors.js";
import type { EmbeddedNode } from "../server/node.js";
import { clusterApi } from "./cluster-api.js";
import { CommandHandle, EmbeddedHandle, type NodeHandle } from "./node-handle.js";
import { FaultProxy } from "./proxy/fault-proxy.js";
import { faultMisfit } from "./spec.js";
import { type FaultEvents, type FaultRecord, FaultTimeline } from "./timeline.js";

/** What benchline knows of the target's nodes. */
export interface FaultTargetInfo {
  servers: string[];
  embedded: boolean;
  /** benchline's own nodes, when it started them. */
  nodes?: EmbeddedNode[];
  /** A system account user on benchline's own servers (for a meta stepdown). */
  systemAuth?: { user: string; password: string };
  monitorUrls: string[];
}

/** Refuses, before anything runs, a fault the target cannot take: one line naming the fault and why. */
export function checkFaultsFit(
  profile: Profile,
  file: string,
  shape: { embedded: boolean; nodes: number },
): void {
  (profile.faults ?? []).forEach((f, i) => {
    const why = faultMisfit(f, shape);
    if (why) throw new UsageError(`${file}: faults[${i}] (${f.name}): ${why}`);
  });
}

/** The embedded nodes a profile's faults need: a meta stepdown needs a system account user. */
export function needsSystemAccount(profile: Profile): boolean {
  return (profile.faults ?? []).some((f) => f.kind === "stepdown" && f.of === "meta");
}

export interface FaultSetup {
  /** Where worker threads connect: through the fault proxies when there are network faults. */
  servers: string[];
  /** Clients must not learn other addresses from the servers, or they would go around the proxies. */
  pinned: boolean;
  timeline: FaultTimeline;
  /** Ends every fault still on, then closes the proxies; what each fault did. Safe to call twice. */
  close(): Promise<FaultRecord[]>;
}

export async function prepareFaults(args: {
  faults: FaultSpec[];
  target: FaultTargetInfo;
  nc: NatsConnection;
  jsm: JetStreamManager;
  stream?: string;
  durable?: string;
  warmupNs: number;
  events: FaultEvents;
  /** A short connection to one server, with the run's credentials. */
  connectTo(url: string): Promise<NatsConnection>;
}): Promise<FaultSetup> {
  const { faults, target } = args;
  const proxies = faults.some((f) => f.kind === "network")
    ? await Promise.all(target.servers.map((url) => FaultProxy.start(url)))
    : [];
  const names = target.nodes ? target.nodes.map((n) => n.name) : await serverNames(target.servers, args);
  const embeddedHandles = target.nodes?.map((n) => new EmbeddedHandle(n));
  const handle = (index: number, spec: FaultSpec): NodeHandle =>
    embeddedHandles?.[index - 1] ??
    new CommandHandle(index, names[index - 1], target.servers[index - 1]!, spec.command ?? {});
  const api = clusterApi({
    nc: args.nc,
    jsm: args.jsm,
    stream: args.stream,
    durable: args.durable,
    monitorUrls: target.nodes ? target.nodes.map((n) => n.monitorUrl) : target.monitorUrls,
    system: target.systemAuth
      ? () =>
          connectNats({
            servers: target.servers,
            user: target.systemAuth!.user,
            pass: target.systemAuth!.password,
            name: "benchline-faults",
          })
      : undefined,
  });
  const timeline = new FaultTimeline(
    faults,
    {
      embedded: target.embedded,
      // Benchline's own nodes are asked each time: one restarted from a user's config may rename itself.
      nodes: target.nodes
        ? target.nodes.map((n) => ({
            index: n.index,
            get name() {
              return n.name;
            },
          }))
        : names.map((name, i) => ({ index: i + 1, name })),
      handle,
      proxies,
      leader: (of) => api.leader(of),
      stepdown: (of) => api.stepdown(of),
    },
    args.warmupNs,
    args.events,
  );
  return {
    servers: proxies.length > 0 ? proxies.map((p) => p.url) : target.servers,
    pinned: proxies.length > 0,
    timeline,
    async close() {
      const records = await timeline.finish();
      await Promise.all(proxies.splice(0).map((p) => p.close()));
      return records;
    },
  };
}

/**
 * Named servers are known by URL; leaders by server_name. A short connection to each URL says which
 * is which (the run's own connection answers for the one it reached).
 */
async function serverNames(
  servers: string[],
  via: { nc: NatsConnection; connectTo(url: string): Promise<NatsConnection> },
): Promise<Array<string | undefined>> {
  if (servers.length === 1) return [via.nc.info?.server_name];
  return Promise.all(
    servers.map(async (url) => {
      try {
        const probe = await via.connectTo(url);
        const name = probe.info?.server_name;
        await probe.close();
        return name;
      } catch {
        return undefined;
      }
    }),
  );
}
