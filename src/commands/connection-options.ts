/** The connection flags (and NATS_* environment) that every command putting load on a server takes. */
import type { Argv } from "yargs";
import { UsageError } from "../errors.js";
import { applyConnectionFlags, type ConnectionFlags, connectionFlagsWithEnv } from "../profile/connection.js";
import type { LoadedProfile } from "../profile/loader.js";
import { readNatsContext } from "../profile/nats-context.js";
import { REDACTED, redactUrl } from "../profile/redact.js";

export interface ConnectionArgs extends ConnectionFlags {
  server?: string[];
  context?: string;
}

const GROUP =
  "Connection (flags override NATS_* environment variables, then --context, which override the profile):";

export function withConnectionOptions<T>(y: Argv<T>) {
  return withCredentialOptions(
    y
      .option("server", {
        type: "string",
        array: true,
        describe:
          "server URL(s), repeat or comma-separate for several; env NATS_URL; none: an embedded server",
        group: GROUP,
      })
      .option("context", {
        type: "string",
        describe:
          "a nats CLI context: its url and credentials, below flags and NATS_* ($XDG_CONFIG_HOME/nats/context/NAME.json, or a path)",
        group: GROUP,
      }),
  )
    .option("connection-name", {
      type: "string",
      describe: 'connection name prefix (default "benchline")',
      group: GROUP,
    })
    .option("connect-timeout", { type: "string", describe: 'e.g. "5s" (default)', group: GROUP })
    .option("reconnect-attempts", {
      type: "number",
      describe: "per connection, -1 forever (default 3)",
      group: GROUP,
    })
    .option("reconnect-wait", {
      type: "string",
      describe: 'between attempts (default "500ms")',
      group: GROUP,
    })
    .option("reconnect-jitter", {
      type: "string",
      describe: 'random extra wait (default "100ms")',
      group: GROUP,
    });
}

/** Who to be and what to trust: the flags an agent takes for the servers under load, too. */
export function withCredentialOptions<T>(y: Argv<T>, group = GROUP) {
  return y
    .option("token", {
      type: "string",
      describe: "token (prefer env NATS_TOKEN: flags show in ps)",
      group,
    })
    .option("user", { type: "string", describe: "user name (env NATS_USER)", group })
    .option("password", { type: "string", describe: "password (prefer env NATS_PASSWORD)", group })
    .option("nkey", {
      type: "string",
      describe: "file holding an nkey user seed (env NATS_NKEY)",
      group,
    })
    .option("creds", {
      type: "string",
      describe: "creds file, user JWT and seed (env NATS_CREDS)",
      group,
    })
    .option("tls-ca", {
      type: "string",
      describe: "CA file (PEM) to trust the server by (env NATS_CA)",
      group,
    })
    .option("tls-cert", {
      type: "string",
      describe: "client certificate (PEM), mutual TLS (env NATS_CERT)",
      group,
    })
    .option("tls-key", {
      type: "string",
      describe: "client key (PEM), mutual TLS (env NATS_KEY)",
      group,
    })
    .option("tls-insecure", {
      type: "boolean",
      describe: "do not verify the server's certificate (test servers only; never the default)",
      group,
    });
}

/** `--server a,b --server c` -> [a, b, c]; undefined when none was given. */
export function serverList(values: string[] | string | undefined): string[] | undefined {
  const list = (Array.isArray(values) ? values : values === undefined ? [] : [values])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

/** A server URL nats.js can dial, or a one-line error naming the bad one. */
export function checkServerUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.includes("://") ? url : `nats://${url}`);
  } catch {
    parsed = undefined;
  }
  if (!parsed?.hostname)
    throw new UsageError(`server URL "${redactUrl(url)}" is not valid; write it as nats://host:4222`);
  if (!["nats:", "tls:", "ws:", "wss:"].includes(parsed.protocol))
    throw new UsageError(
      `server URL "${redactUrl(url)}": benchline speaks the NATS protocol; use nats://host:4222 (or tls://, or ws:// and wss:// for a websocket listener)`,
    );
}

/**
 * The profile with the connection flags and environment applied, to run; and its stored form, with
 * secrets given by flag or environment as "[redacted]" and URLs stripped of user:password.
 */
export function applyConnection(
  loaded: LoadedProfile,
  args: ConnectionArgs,
  env: NodeJS.ProcessEnv = process.env,
): LoadedProfile {
  const context = args.context === undefined ? undefined : readNatsContext(args.context, env);
  const flags = connectionFlagsWithEnv(args, env, context?.flags);
  const servers = serverList(args.server) ?? serverList(env.NATS_URL) ?? serverList(context?.url);
  for (const url of servers ?? loaded.profile.servers) checkServerUrl(url);
  const profile = applyConnectionFlags(loaded.profile, flags, (v) => v);
  const stored = applyConnectionFlags(loaded.stored, flags, () => REDACTED);
  return {
    ...loaded,
    profile: servers ? { ...profile, servers } : profile,
    stored: servers ? { ...stored, servers: servers.map(redactUrl) } : stored,
  };
}
