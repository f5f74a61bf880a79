/** The connection flags (and NATS_* environment) that every command putting load on a server takes. */
import type { Argv } from "yargs";
import type { Profile } from "../contract/profile.js";
import { type ConnectSpec, connectSpec } from "../engine/connect-options.js";
import { UsageError } from "../errors.js";
import {
  applyConnectionFlags,
  CONNECTION_DEFAULTS,
  type ConnectionFlags,
  connectionFlagsWithEnv,
} from "../profile/connection.js";
import type { LoadedProfile } from "../profile/loader.js";
import { readNatsContext } from "../profile/nats-context.js";
import { REDACTED, redactUrl } from "../profile/redact.js";
import { splitUrlCredentials } from "../profile/url-credentials.js";

export interface ConnectionArgs extends ConnectionFlags {
  server?: string[];
  context?: string;
}

const GROUP =
  "Connection (flags override NATS_* environment variables, then --context, which override the profile):";

/** `withoutServer` says what happens when no server is named, for --help. */
export function withConnectionOptions<T>(y: Argv<T>, withoutServer = "none: an embedded server") {
  return withCredentialOptions(
    y
      .option("server", {
        type: "string",
        array: true,
        describe: `server URL(s), repeat or comma-separate for several; env NATS_URL; ${withoutServer}`,
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
    })
    .option("inbox-prefix", {
      type: "string",
      describe:
        'subject prefix of every inbox benchline subscribes to (default "_INBOX"; env NATS_INBOX_PREFIX); the user needs subscribe "<prefix>.>"',
      group: GROUP,
    });
}

/**
 * A flag that takes one value: yargs makes an array of a repeated one, which would reach the client as
 * a credential it cannot send. The message names the flag, never the values.
 */
function once(flag: string) {
  return (value: unknown) => {
    if (Array.isArray(value)) throw new UsageError(`--${flag} is given more than once; give it once`);
    return value as string;
  };
}

/** Who to be and what to trust: the flags an agent takes for the servers under load, too. */
export function withCredentialOptions<T>(y: Argv<T>, group = GROUP) {
  return y
    .option("token", {
      type: "string",
      describe: "token (prefer env NATS_TOKEN: flags show in ps)",
      group,
      coerce: once("token"),
    })
    .option("user", { type: "string", describe: "user name (env NATS_USER)", group, coerce: once("user") })
    .option("password", {
      type: "string",
      describe: "password (prefer env NATS_PASSWORD)",
      group,
      coerce: once("password"),
    })
    .option("nkey", {
      type: "string",
      describe: "file holding an nkey user seed (env NATS_NKEY)",
      group,
      coerce: once("nkey"),
    })
    .option("creds", {
      type: "string",
      describe: "creds file, user JWT and seed (env NATS_CREDS)",
      group,
      coerce: once("creds"),
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
 * secrets given by flag or environment as "[redacted]" and URLs stripped of user:password. Credentials
 * in a server URL (nats://TOKEN@host, nats://USER:PASSWORD@host) count as flags given with it.
 */
export function applyConnection(
  loaded: LoadedProfile,
  args: ConnectionArgs,
  env: NodeJS.ProcessEnv = process.env,
): LoadedProfile {
  const context = args.context === undefined ? undefined : readNatsContext(args.context, env);
  const flags = connectionFlagsWithEnv(args, env, context?.flags);
  const named = serverList(args.server) ?? serverList(env.NATS_URL) ?? serverList(context?.url);
  const urls = named ?? loaded.profile.servers;
  for (const url of urls) checkServerUrl(url);
  const where = named ? "the server URL" : `${loaded.path}: a URL in servers`;
  const { servers, credentials } = splitUrlCredentials(
    urls,
    named ? "server URL" : `${loaded.path}: servers`,
  );
  if (credentials) {
    const given = AUTH_FLAGS.filter((k) => flags[k] !== undefined).map((k) => `--${k}`);
    if (given.length > 0)
      throw new UsageError(
        `${where} carries credentials, and so ${given.length > 1 ? "do" : "does"} ${given.join(", ")} (a flag, NATS_* or --context): give them one way`,
      );
    if (!named && loaded.profile.auth)
      throw new UsageError(`${where} carries credentials, and so does auth: give them one way`);
  }
  const withUrl: ConnectionFlags = { ...flags, ...credentials };
  const profile = applyConnectionFlags(loaded.profile, withUrl, (v) => v);
  const stored = applyConnectionFlags(loaded.stored, withUrl, () => REDACTED);
  return {
    ...loaded,
    profile: { ...profile, servers },
    stored: named ? { ...stored, servers: named.map(redactUrl) } : stored,
  };
}

const AUTH_FLAGS = ["token", "user", "password", "nkey", "creds"] as const;

/**
 * For a command that connects without a profile (services): the servers and how to connect, from the
 * same flags, NATS_* environment and --context as every other command, through the same code.
 */
export function connectionFromArgs(
  args: ConnectionArgs,
  env: NodeJS.ProcessEnv = process.env,
): { servers: string[]; spec: ConnectSpec } {
  const bare = { servers: [], connection: CONNECTION_DEFAULTS } as unknown as Profile;
  const { profile } = applyConnection({ profile: bare, stored: bare, path: "flags" }, args, env);
  return { servers: profile.servers, spec: connectSpec(profile) };
}
