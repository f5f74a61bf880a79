/**
 * Where a run's loads go (docs/architecture.md, "The run composition"): named servers, or servers
 * benchline starts itself (one node, or a 3-node cluster when any load replicates), from the user's
 * config or its own, with an account per tenant when the loads are tenants. The target owns the node
 * handles faults act on and each load's credentials; opening it is the only place a server starts.
 */
import { randomBytes } from "node:crypto";
import type { AuthSpec, Profile } from "../contract/profile.js";
import type { ServerConfigRecord } from "../contract/server-config.js";
import { UsageError } from "../errors.js";
import { checkFaultsFit } from "../faults/setup.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { EmbeddedNode } from "../server/node.js";
import { serverConfigRecord } from "../server/user-config.js";
import { embeddedSize, startEmbedded } from "./embedded.js";
import type { RunEvents, RunOptions } from "./run-events.js";
import type { Load } from "./tenants.js";
import { tenantAccount } from "./tenants.js";

/** Where a run's load goes: the servers, their monitoring URL, and whether benchline started them. */
export interface Target {
  servers: string[];
  monitorUrl?: string;
  embedded: boolean;
  clusterSize: number;
  /** Loads that run side by side on this target (tenants); they share the host's threads. */
  parties?: number;
  /** benchline's own nodes, when it started them: what process faults act on. */
  nodes?: EmbeddedNode[];
  systemAuth?: { user: string; password: string };
  /** The user's config the embedded servers run from, by path and hash (read once for every load). */
  serverConfig?: ServerConfigRecord;
}

export interface OpenTarget {
  target: Target;
  /** Each load's credentials on this target, in the order of the loads. */
  auths: Array<AuthSpec | undefined>;
  stop(): Promise<void>;
}

/** The largest embedded target any load needs: a cluster when any load replicates. */
function sizeFor(loads: Load[]): number {
  return Math.max(...loads.map((l) => embeddedSize(l.loaded.profile)));
}

export async function openTarget(
  loaded: LoadedProfile,
  loads: Load[],
  options: RunOptions,
  events: RunEvents,
): Promise<OpenTarget> {
  const profile = loaded.profile;
  const named = options.servers?.length ? options.servers : profile.servers;
  const tenants = loads.some((l) => l.tenant !== undefined);
  const userConfig = options.embedded?.userConfig;
  const parties = tenants ? { parties: loads.length } : {};
  if (tenants && (named.length > 0 || userConfig)) {
    const missing = loads.findIndex((l) => !l.loaded.profile.auth);
    if (missing >= 0)
      throw new UsageError(
        userConfig
          ? `${loaded.path}: tenants[${missing}] (${loads[missing]!.tenant}) has no auth: on a server from --server-config ${userConfig.file}, give each tenant the credentials of its user in that file`
          : `${loaded.path}: tenants[${missing}] (${loads[missing]!.tenant}) has no auth: give each tenant its credentials on a named server, or name no server to run on an embedded one`,
      );
  }
  if (named.length > 0) {
    checkFaultsFit(profile, loaded.path, { embedded: false, nodes: named.length });
    return {
      target: { servers: named, monitorUrl: options.monitorUrl, embedded: false, clusterSize: 1, ...parties },
      auths: loads.map((l) => l.loaded.profile.auth),
      stop: async () => {},
    };
  }
  const size = sizeFor(loads);
  checkFaultsFit(profile, loaded.path, { embedded: true, nodes: size });
  // Tenants on benchline's own server: an account each, users limited to their prefix, passwords made
  // for this run. A user's config has its own accounts, and each tenant names its user there.
  const passwords =
    tenants && !userConfig ? loads.map(() => randomBytes(18).toString("base64url")) : undefined;
  const accounts = passwords && {
    accounts: loads.map((l, i) => tenantAccount(l.tenantSpec!, passwords[i]!)),
    system: { user: "sys", password: randomBytes(18).toString("base64url") },
  };
  events.onPhase?.(
    "server",
    `starting ${size > 1 ? `a ${size}-node nats-server cluster` : "nats-server"}${userConfig ? ` from ${userConfig.file}` : ""}${accounts ? ` with ${loads.length} tenant accounts` : ""}`,
  );
  const started = await startEmbedded(profile, options.embedded, {
    size,
    ...(accounts && { tenants: accounts }),
  });
  // Which config the server ran from, by path and hash (after the start: a config the server refuses is
  // reported with the server's reason); the result never holds its secrets.
  const serverConfig = await serverConfigRecord(userConfig).catch(async (err) => {
    await started.stop();
    throw err;
  });
  return {
    target: {
      servers: started.urls,
      monitorUrl: started.monitorUrl,
      embedded: true,
      clusterSize: started.size,
      nodes: started.nodes,
      ...(started.systemAuth && { systemAuth: started.systemAuth }),
      ...(serverConfig && { serverConfig }),
      ...parties,
    },
    // The config's own credentials, when a load gave none; the stored profile never holds them.
    auths: loads.map((l, i) =>
      passwords ? { user: l.tenant!, password: passwords[i]! } : (l.loaded.profile.auth ?? started.auth),
    ),
    stop: () => started.stop(),
  };
}

/** A load's profile with the target's credentials for it. */
export function withAuth(profile: Profile, auth: AuthSpec | undefined): Profile {
  return auth === profile.auth ? profile : { ...profile, auth };
}
