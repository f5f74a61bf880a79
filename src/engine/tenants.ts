/**
 * The loads of a run: one, or one per tenant. A tenant's load runs as a profile of its own, in its own
 * account and with its own credentials, side by side with the others from one shared start instant
 * (k6's scenarios: one load loop, not a second path). With no server named, the target makes an
 * account per tenant (users limited to the tenant's subject prefix, each with JetStream).
 */
import type { Profile, TenantSpec } from "../contract/profile.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { AccountConfig } from "../server/config.js";
import type { Tick } from "./coordinator.js";
import type { RunEvents } from "./run-events.js";

/** One load of a run: the whole profile, or one tenant's part of it. */
export interface Load {
  loaded: LoadedProfile;
  /** The tenant's name, for a tenant's load. */
  tenant?: string;
  tenantSpec?: TenantSpec;
}

/** A tenant's load as a profile of its own: the shared timing, connection settings and faults, its own load and auth. */
export function tenantProfile(profile: Profile, tenant: TenantSpec, auth = tenant.auth): Profile {
  return {
    ...profile,
    name: `${profile.name}-${tenant.name}`,
    auth,
    stream: tenant.stream,
    publishers: tenant.publishers,
    consumers: tenant.consumers,
    responders: tenant.responders,
    kv: tenant.kv,
    objects: tenant.objects,
    direct: tenant.direct,
    tenants: undefined,
    thresholds: [],
  };
}

/** The loads of a profile: itself, or each tenant's. */
export function loadsOf(loaded: LoadedProfile): Load[] {
  const tenants = loaded.profile.tenants;
  if (!tenants) return [{ loaded }];
  return tenants.map((t, i) => ({
    tenant: t.name,
    tenantSpec: t,
    loaded: {
      path: loaded.path,
      profile: tenantProfile(loaded.profile, t),
      stored: tenantProfile(loaded.stored, loaded.stored.tenants![i]!),
    },
  }));
}

/** The subjects a tenant's user may use: its prefix, and what JetStream and replies need inside its account. */
export function tenantAccount(tenant: TenantSpec, password: string): AccountConfig {
  const own = [`${tenant.prefix}.>`];
  if (tenant.kv) own.push(`$KV.${tenant.kv.bucket.name}.>`);
  if (tenant.objects) own.push(`$O.${tenant.objects.bucket.name}.>`);
  return {
    name: `TENANT_${tenant.name.toUpperCase().replace(/-/g, "_")}`,
    jetstream: true,
    users: [
      {
        user: tenant.name,
        password,
        // Exactly the subjects table of docs/your-deployment.md: every inbox of benchline's lives under _INBOX.
        publish: [...own, "$JS.API.>", "$JS.ACK.>"],
        subscribe: [...own, "_INBOX.>"],
      },
    ],
  };
}

/** The progress line of loads side by side: rates and counts summed, the worst load's p99. */
export function mergeTicks(events: RunEvents, parties: number): (index: number) => RunEvents {
  if (parties === 1) return () => events;
  const latest = new Map<number, Tick>();
  return (index) => ({
    onPhase: index === 0 ? events.onPhase : undefined,
    onInterval: events.onInterval,
    onFault: index === 0 ? events.onFault : undefined,
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
        ...(all.some((t) => t.outstanding !== undefined) && {
          outstanding: all.reduce((n, t) => n + (t.outstanding ?? 0), 0),
        }),
        p99Us: worst?.p99Us,
        p99Kind: worst ? `worst tenant ${worst.p99Kind}` : undefined,
      });
    },
  });
}
