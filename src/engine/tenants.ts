/**
 * Tenants: each tenant's load runs as a profile of its own, in its own account and with its own
 * credentials, side by side with the others from one shared start instant. With no server named,
 * benchline starts one with an account per tenant (users limited to the tenant's subject prefix, each
 * with JetStream) and a system account, and makes each tenant's password for the run.
 */
import { randomBytes } from "node:crypto";
import { UsageError } from "../errors.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { Profile, TenantSpec } from "../profile/profile.js";
import type { AccountConfig } from "../server/config.js";
import { NatsServer } from "../server/launcher.js";
import { StartGate, type Tick } from "./coordinator.js";
import type { RunResult } from "./result.js";
import { type RunEvents, type RunOptions, type RunOutcome, runOnServers, type Target } from "./run.js";
import { combineTenants } from "./tenant-results.js";

/** A tenant's load as a profile of its own: the shared timing and connection settings, its own load and auth. */
export function tenantProfile(profile: Profile, tenant: TenantSpec, auth = tenant.auth): Profile {
  return {
    ...profile,
    name: `${profile.name}-${tenant.name}`,
    auth,
    stream: tenant.stream,
    publishers: tenant.publishers,
    consumers: tenant.consumers,
    responders: tenant.responders,
    tenants: undefined,
    thresholds: [],
  };
}

/** The subjects a tenant's user may use: its prefix, and what JetStream and replies need inside its account. */
export function tenantAccount(tenant: TenantSpec, password: string): AccountConfig {
  return {
    name: `TENANT_${tenant.name.toUpperCase().replace(/-/g, "_")}`,
    jetstream: true,
    users: [
      {
        user: tenant.name,
        password,
        // Exactly the README's subjects table: every inbox of benchline's lives under _INBOX.
        publish: [`${tenant.prefix}.>`, "$JS.API.>", "$JS.ACK.>"],
        subscribe: [`${tenant.prefix}.>`, "_INBOX.>"],
      },
    ],
  };
}

/** The progress line of runs side by side: rates and counts summed, the worst tenant's p99. */
function mergeTicks(events: RunEvents, parties: number): (index: number) => RunEvents {
  const latest = new Map<number, Tick>();
  return (index) => ({
    onPhase: index === 0 ? events.onPhase : undefined,
    onInterval: events.onInterval,
    onTick(tick) {
      latest.set(index, tick);
      if (latest.size < parties) return;
      const all = [...latest.values()];
      const worst = all.filter((t) => t.p99Us !== undefined).sort((a, b) => b.p99Us! - a.p99Us!)[0];
      events.onTick?.({
        elapsedS: Math.max(...all.map((t) => t.elapsedS)),
        phase: all[0]!.phase,
        publishedPerSec: all.reduce((n, t) => n + t.publishedPerSec, 0),
        consumedPerSec: all.reduce((n, t) => n + t.consumedPerSec, 0),
        published: all.reduce((n, t) => n + t.published, 0),
        consumed: all.reduce((n, t) => n + t.consumed, 0),
        errors: all.reduce((n, t) => n + t.errors, 0),
        p99Us: worst?.p99Us,
        p99Kind: worst ? `worst tenant ${worst.p99Kind}` : undefined,
      });
    },
  });
}

export async function runTenants(
  loaded: LoadedProfile,
  options: RunOptions,
  events: RunEvents,
): Promise<RunResult> {
  const profile = loaded.profile;
  const tenants = profile.tenants!;
  const named = options.servers?.length ? options.servers : profile.servers;
  let server: NatsServer | undefined;
  let auths = tenants.map((t) => t.auth);
  let target: Target;
  const userConfig = options.embedded?.userConfig;
  if (named.length > 0 || userConfig) {
    const missing = tenants.findIndex((t) => !t.auth);
    if (missing >= 0)
      throw new UsageError(
        userConfig
          ? `${loaded.path}: tenants[${missing}] (${tenants[missing]!.name}) has no auth: on a server from --server-config ${userConfig.file}, give each tenant the credentials of its user in that file`
          : `${loaded.path}: tenants[${missing}] (${tenants[missing]!.name}) has no auth: give each tenant its credentials on a named server, or name no server to run on an embedded one`,
      );
    if (userConfig) {
      events.onPhase?.("server", `starting nats-server from ${userConfig.file}`);
      server = await NatsServer.start(options.embedded);
    }
    target = {
      servers: server ? [server.clientUrl] : named,
      monitorUrl: server ? server.monitorUrl : options.monitorUrl,
      embedded: server !== undefined,
      clusterSize: 1,
      parties: tenants.length,
    };
  } else {
    if (tenants.some((t) => (t.stream?.replicas ?? 1) > 1))
      throw new UsageError(`${loaded.path}: tenants with replicated streams need a named cluster (--server)`);
    const passwords = tenants.map(() => randomBytes(18).toString("base64url"));
    events.onPhase?.("server", `starting nats-server with ${tenants.length} tenant accounts`);
    server = await NatsServer.start({
      bin: options.embedded?.bin,
      auth: {
        accounts: [
          {
            name: "SYS",
            jetstream: false,
            users: [{ user: "sys", password: randomBytes(18).toString("base64url") }],
          },
          ...tenants.map((t, i) => tenantAccount(t, passwords[i]!)),
        ],
        systemAccount: "SYS",
      },
      ...(profile.transport === "websocket" && { websocket: { port: -1 } }),
    });
    auths = tenants.map((t, i) => ({ user: t.name, password: passwords[i] }));
    target = {
      servers: [profile.transport === "websocket" ? server.websocketUrl! : server.clientUrl],
      monitorUrl: server.monitorUrl,
      embedded: true,
      clusterSize: 1,
      parties: tenants.length,
    };
  }
  try {
    const gate = new StartGate(tenants.length);
    const eventsOf = mergeTicks(events, tenants.length);
    const settled = await Promise.allSettled(
      tenants.map((t, i) =>
        runOnServers(
          {
            path: loaded.path,
            profile: tenantProfile(profile, t, auths[i]),
            stored: tenantProfile(loaded.stored, loaded.stored.tenants![i]!),
          },
          target,
          options,
          eventsOf(i),
          gate,
        ),
      ),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<RunOutcome>).value);
    return combineTenants(loaded, tenants, outcomes);
  } finally {
    await server?.stop();
  }
}
