/**
 * How benchline connects: credentials, TLS, connection name, timeouts and reconnects, from the profile,
 * then the environment (NATS_* as the nats CLI names them), then flags, each overriding the one before.
 */
import { dirname, resolve } from "node:path";
import type { AuthSpec, ConnectionSpec, Profile, TlsSpec } from "../contract/profile.js";
import { UsageError } from "../errors.js";
import { parseDurationMs } from "../util/units.js";
import { hasEnvReference } from "./env.js";
import { looksLikeSecret } from "./redact.js";
import type { ProfileInput } from "./schema.js";

export const CONNECTION_DEFAULTS: ConnectionSpec = {
  name: "benchline",
  connectTimeoutMs: 5000,
  reconnectAttempts: 3,
  reconnectWaitMs: 500,
  reconnectJitterMs: 100,
};

/** What the connection flags say; every field optional. */
export interface ConnectionFlags {
  token?: string;
  user?: string;
  password?: string;
  nkey?: string;
  creds?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsInsecure?: boolean;
  connectionName?: string;
  connectTimeout?: string;
  reconnectAttempts?: number;
  reconnectWait?: string;
  reconnectJitter?: string;
  inboxPrefix?: string;
}

/** The environment variables read, and the flag each stands in for. */
export const CONNECTION_ENV: Record<string, keyof ConnectionFlags> = {
  NATS_TOKEN: "token",
  NATS_USER: "user",
  NATS_PASSWORD: "password",
  NATS_NKEY: "nkey",
  NATS_CREDS: "creds",
  NATS_CA: "tlsCa",
  NATS_CERT: "tlsCert",
  NATS_KEY: "tlsKey",
  NATS_INBOX_PREFIX: "inboxPrefix",
};

/** nats.js's and the nats CLI's inbox prefix, benchline's too unless told otherwise. */
export const DEFAULT_INBOX_PREFIX = "_INBOX";

/** The prefix every inbox of a connection lives under. */
export function inboxPrefixOf(connection: Pick<ConnectionSpec, "inboxPrefix">): string {
  return connection.inboxPrefix ?? DEFAULT_INBOX_PREFIX;
}

/** A subject prefix as --inbox-prefix takes it, or a one-line error. */
export function checkInboxPrefix(prefix: string, where: string): string {
  if (!/^[^\s.*>]+(\.[^\s.*>]+)*$/.test(prefix))
    throw new UsageError(
      `${where} "${prefix}" is not a subject prefix: tokens without spaces, * or >, no dot at either end (e.g. _INBOX_team)`,
    );
  return prefix;
}

/** A path relative to the profile's directory; ${ENV} references are left for substitution. */
function fromProfile(path: string | undefined, file: string): string | undefined {
  if (path === undefined || hasEnvReference(path)) return path;
  return resolve(dirname(file), path);
}

/** Exactly one way to authenticate, or none. */
export function checkOneAuthMethod(auth: AuthSpec | undefined, where: string): void {
  if (!auth) return;
  const methods = [
    auth.token !== undefined && "token",
    (auth.user !== undefined || auth.password !== undefined) && "user/password",
    auth.nkeyFile !== undefined && "nkey",
    auth.credsFile !== undefined && "creds",
  ].filter(Boolean);
  if (methods.length > 1)
    throw new UsageError(`${where}: use one way to authenticate, not ${methods.join(" and ")}`);
  if (auth.password !== undefined && auth.user === undefined)
    throw new UsageError(`${where}: a password needs a user`);
  // A user alone is most often a password left unset (NATS_PASSWORD empty): the server's refusal would
  // come only at connect, as "authorization violation".
  if (auth.user !== undefined && auth.password === undefined)
    throw new UsageError(
      `${where}: a user needs a password (--password or NATS_PASSWORD); a token goes in --token`,
    );
  // A seed or JWT pasted where a path goes would be quoted by "cannot read" and kept in results.
  for (const [path, what] of [
    [auth.nkeyFile, "nkey"],
    [auth.credsFile, "creds"],
  ] as const)
    if (path !== undefined && looksLikeSecret(path))
      throw new UsageError(
        `${where}: the ${what} value is a secret itself, not the path of a file holding one; put it in a file (mode 600) and give its path`,
      );
}

export function resolveConnection(
  input: ProfileInput,
  file: string,
): Pick<Profile, "auth" | "tls" | "connection"> {
  const ms = (value: string | number | undefined, path: string, fallback: number) =>
    value === undefined ? fallback : parseDurationMs(value, `${file}: ${path}`);
  const a = input.auth;
  const auth: AuthSpec | undefined = a && {
    token: a.token,
    user: a.user,
    password: a.password,
    nkeyFile: fromProfile(a.nkey, file),
    credsFile: fromProfile(a.creds, file),
  };
  checkOneAuthMethod(auth, `${file}: auth`);
  const t = input.tls;
  const tls: TlsSpec | undefined = t && {
    caFile: fromProfile(t.ca, file),
    certFile: fromProfile(t.cert, file),
    keyFile: fromProfile(t.key, file),
    insecure: t.insecure,
  };
  if (tls && (tls.certFile === undefined) !== (tls.keyFile === undefined))
    throw new UsageError(`${file}: tls: mutual TLS needs both cert and key`);
  const c = input.connection;
  const connection: ConnectionSpec = {
    name: c?.name ?? CONNECTION_DEFAULTS.name,
    connectTimeoutMs: ms(
      c?.connectTimeout,
      "connection.connectTimeout",
      CONNECTION_DEFAULTS.connectTimeoutMs,
    ),
    // A fault run outlasts a downed server by design: its clients keep trying unless told otherwise.
    reconnectAttempts: c?.reconnect?.attempts ?? (input.faults ? -1 : CONNECTION_DEFAULTS.reconnectAttempts),
    reconnectWaitMs: ms(c?.reconnect?.wait, "connection.reconnect.wait", CONNECTION_DEFAULTS.reconnectWaitMs),
    reconnectJitterMs: ms(
      c?.reconnect?.jitter,
      "connection.reconnect.jitter",
      CONNECTION_DEFAULTS.reconnectJitterMs,
    ),
    ...(c?.inboxPrefix !== undefined && { inboxPrefix: c.inboxPrefix }),
  };
  if (connection.connectTimeoutMs <= 0)
    throw new UsageError(`${file}: connection.connectTimeout must be above zero`);
  return { auth, tls, connection };
}

const AUTH_KEYS = ["token", "user", "password", "nkey", "creds"] as const;

/**
 * Flags over environment: the environment fills only what no flag gave. A nats context (`--context`)
 * stands where the environment does, below it as in the nats CLI, whose NATS_* variables override the
 * context's fields: it fills what neither gave, and its credentials only when neither gave any, so that
 * a token from the environment never meets a user from the context.
 */
export function connectionFlagsWithEnv(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  context: ConnectionFlags = {},
): ConnectionFlags {
  const merged: ConnectionFlags = { ...flags };
  for (const [name, key] of Object.entries(CONNECTION_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== "" && merged[key] === undefined)
      (merged as Record<string, unknown>)[key] = value;
  }
  const hasAuth = AUTH_KEYS.some((k) => merged[k] !== undefined);
  for (const [key, value] of Object.entries(context) as Array<[keyof ConnectionFlags, unknown]>) {
    const isAuth = (AUTH_KEYS as readonly string[]).includes(key);
    if (value !== undefined && merged[key] === undefined && !(isAuth && hasAuth))
      (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/**
 * The profile with the connection flags applied. `secret` says what to put where a secret flag goes:
 * the value itself for the profile that runs, "[redacted]" for the one that is stored.
 */
export function applyConnectionFlags(
  profile: Profile,
  flags: ConnectionFlags,
  secret: (value: string) => string,
): Profile {
  const f = flags;
  const authGiven = [f.token, f.user, f.password, f.nkey, f.creds].some((v) => v !== undefined);
  // A credential given by flag replaces the profile's credential as a whole, never mixes with it.
  const auth: AuthSpec | undefined = authGiven
    ? {
        token: f.token === undefined ? undefined : secret(f.token),
        user: f.user,
        password: f.password === undefined ? undefined : secret(f.password),
        nkeyFile: f.nkey === undefined ? undefined : resolve(f.nkey),
        credsFile: f.creds === undefined ? undefined : resolve(f.creds),
      }
    : profile.auth;
  if (authGiven) checkOneAuthMethod(auth, "flags");
  const tlsGiven = [f.tlsCa, f.tlsCert, f.tlsKey, f.tlsInsecure].some((v) => v !== undefined);
  const tls: TlsSpec | undefined = tlsGiven
    ? {
        caFile: f.tlsCa === undefined ? profile.tls?.caFile : resolve(f.tlsCa),
        certFile: f.tlsCert === undefined ? profile.tls?.certFile : resolve(f.tlsCert),
        keyFile: f.tlsKey === undefined ? profile.tls?.keyFile : resolve(f.tlsKey),
        insecure: f.tlsInsecure ?? profile.tls?.insecure ?? false,
      }
    : profile.tls;
  if (tls && (tls.certFile === undefined) !== (tls.keyFile === undefined))
    throw new UsageError("--tls-cert and --tls-key go together: mutual TLS needs both");
  const ms = (value: string | undefined, flag: string, current: number) =>
    value === undefined ? current : parseDurationMs(value, flag);
  if (
    f.reconnectAttempts !== undefined &&
    (!Number.isInteger(f.reconnectAttempts) || f.reconnectAttempts < -1)
  )
    throw new UsageError(
      `--reconnect-attempts must be a whole number, -1 for forever, not ${f.reconnectAttempts}`,
    );
  const connection: ConnectionSpec = {
    name: f.connectionName ?? profile.connection.name,
    connectTimeoutMs: ms(f.connectTimeout, "--connect-timeout", profile.connection.connectTimeoutMs),
    reconnectAttempts: f.reconnectAttempts ?? profile.connection.reconnectAttempts,
    reconnectWaitMs: ms(f.reconnectWait, "--reconnect-wait", profile.connection.reconnectWaitMs),
    reconnectJitterMs: ms(f.reconnectJitter, "--reconnect-jitter", profile.connection.reconnectJitterMs),
  };
  const inboxPrefix =
    f.inboxPrefix === undefined
      ? profile.connection.inboxPrefix
      : checkInboxPrefix(f.inboxPrefix, "--inbox-prefix");
  if (inboxPrefix !== undefined) connection.inboxPrefix = inboxPrefix;
  if (connection.connectTimeoutMs <= 0) throw new UsageError("--connect-timeout must be above zero");
  return { ...profile, auth, tls, connection };
}
