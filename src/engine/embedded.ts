/**
 * The servers a run starts when none is named: one node, or a 3-node cluster for replicated streams.
 * Each node keeps the handles faults need (kill and start again on its store, pause, lame duck).
 */
import { randomBytes } from "node:crypto";
import type { AuthSpec, Profile } from "../contract/profile.js";
import { UsageError } from "../errors.js";
import { needsSystemAccount } from "../faults/setup.js";
import { LocalCluster } from "../server/cluster.js";
import type { AccountConfig, ServerAuth } from "../server/config.js";
import { configCredentials } from "../server/config-credentials.js";
import { NatsServer, type StartOptions } from "../server/launcher.js";
import { EmbeddedNode } from "../server/node.js";
import { readUserConfig } from "../server/user-config.js";

/** The embedded server's origin: the user's nats-server.conf and/or a nats-server binary. */
export type EmbeddedSpec = Pick<StartOptions, "userConfig" | "bin">;

export interface EmbeddedTarget {
  urls: string[];
  monitorUrl: string;
  size: number;
  nodes: EmbeddedNode[];
  /** A system account user, made when a fault needs one (a meta stepdown). */
  systemAuth?: { user: string; password: string };
  /** From the user's config, when it has one token or one user benchline can read. */
  auth?: AuthSpec;
  stop(): Promise<void>;
}

async function configAuth(file: string): Promise<AuthSpec | undefined> {
  // A config the server refuses is reported when the server starts, with the server's reason.
  return readUserConfig(file)
    .then((c) => configCredentials(c))
    .catch(() => undefined);
}

/** How many nodes the embedded target of a profile has. */
export function embeddedSize(profile: Profile): number {
  const replicas = Math.max(
    profile.stream?.replicas ?? 1,
    profile.kv?.bucket.replicas ?? 1,
    profile.objects?.bucket.replicas ?? 1,
  );
  return replicas > 1 ? Math.max(3, replicas) : 1;
}

/**
 * Accounts of their own for loads side by side (tenants): each load's users limited to its subjects,
 * and a system account beside them.
 */
export interface TenantAccounts {
  accounts: AccountConfig[];
  system: { user: string; password: string };
}

export async function startEmbedded(
  profile: Profile,
  spec: EmbeddedSpec = {},
  shape: { size?: number; tenants?: TenantAccounts } = {},
): Promise<EmbeddedTarget> {
  const size = shape.size ?? embeddedSize(profile);
  const password = () => randomBytes(18).toString("base64url");
  const systemAuth = shape.tenants
    ? shape.tenants.system
    : needsSystemAccount(profile)
      ? { user: "sys", password: password() }
      : undefined;
  if (systemAuth && spec.userConfig)
    throw new UsageError(
      `a meta stepdown needs a system account benchline makes on its own server; it cannot add one to ${spec.userConfig.file}: run against it with --server and a system user, or drop the meta stepdown`,
    );
  const configCreds = spec.userConfig ? await configAuth(spec.userConfig.file) : undefined;
  // A system account means accounts; clients without credentials land in APP as they would in $G.
  const auth: ServerAuth | undefined = shape.tenants
    ? {
        accounts: [
          { name: "SYS", jetstream: false, users: [shape.tenants.system] },
          ...shape.tenants.accounts,
        ],
        systemAccount: "SYS",
      }
    : systemAuth && {
        accounts: [
          { name: "APP", jetstream: true, users: [{ user: "app", password: password() }] },
          { name: "SYS", jetstream: false, users: [systemAuth] },
        ],
        systemAccount: "SYS",
        noAuthUser: "app",
      };
  // Websocket clients connect to each node's websocket listener (nats-server keeps its TCP port too).
  const websocket = profile.transport === "websocket" ? { port: -1 } : undefined;
  const options = { ...spec, ...(auth && { auth }), ...(websocket && { websocket }) };
  const servers =
    size > 1 ? (await LocalCluster.start(size, options)).nodes : [await NatsServer.start(options)];
  const nodes = servers.map((s, i) => new EmbeddedNode(i + 1, s));
  return {
    urls: nodes.map((n) => (websocket ? n.websocketUrl! : n.clientUrl)),
    monitorUrl: nodes[0]!.monitorUrl,
    size,
    nodes,
    ...(systemAuth && { systemAuth }),
    ...(configCreds && { auth: configCreds }),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
