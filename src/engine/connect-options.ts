/**
 * The nats.js connect options for a profile's connection settings: the one place that maps benchline's
 * auth, TLS and reconnect settings to the client's names, for the control connection and every worker
 * connection alike. Seed and creds files are read here, checked, and handed to the client's
 * authenticators; their contents never reach a message.
 */
import { readFile } from "node:fs/promises";
import { credsAuthenticator, nkeyAuthenticator, nkeys } from "@nats-io/nats-core";
import type { ConnectionOptions } from "@nats-io/transport-node";
import type { AuthSpec, ConnectionSpec, TlsSpec } from "../contract/profile.js";
import { RuntimeFailure, UsageError } from "../errors.js";
import { looksLikeSecret, redactUrl } from "../profile/redact.js";
import { readFailure } from "../util/files.js";

/** Everything a connection needs besides the server URLs; plain data, so it crosses to worker threads. */
export interface ConnectSpec {
  auth?: AuthSpec;
  tls?: TlsSpec;
  connection: ConnectionSpec;
  /** Connect only to the given URLs, never to addresses the servers advertise (fault proxies). */
  pinned?: boolean;
}

async function readSecretFile(path: string, what: string): Promise<Uint8Array> {
  // A key or seed pasted where its file's path goes: quoting the "path" would print the secret.
  if (looksLikeSecret(path))
    throw new UsageError(
      `the ${what} given is the secret itself, not the path of a file holding it; put it in a file (mode 600) and give its path`,
    );
  try {
    return await readFile(path);
  } catch (err) {
    throw new UsageError(`cannot read the ${what} ${path}: ${readFailure(err)}`);
  }
}

async function checkReadable(path: string | undefined, what: string): Promise<void> {
  if (path !== undefined) await readSecretFile(path, what);
}

/** The seed line of an nkey seed file, checked; the error never quotes the file's contents. */
async function nkeySeed(path: string): Promise<Uint8Array> {
  const text = new TextDecoder().decode(await readSecretFile(path, "nkey seed file"));
  const seed = text.split(/\s+/).find((w) => w.startsWith("SU"));
  try {
    if (!seed) throw new Error("no seed");
    nkeys.fromSeed(new TextEncoder().encode(seed));
  } catch {
    throw new UsageError(
      `${path} holds no nkey user seed (a line starting with SU); generate one with nk -gen user`,
    );
  }
  return new TextEncoder().encode(seed);
}

async function creds(path: string): Promise<Uint8Array> {
  const bytes = await readSecretFile(path, "creds file");
  const text = new TextDecoder().decode(bytes);
  if (!/-----BEGIN NATS USER JWT-----/.test(text) || !/-----BEGIN USER NKEY SEED-----/.test(text))
    throw new UsageError(
      `${path} is not a creds file (it needs a NATS USER JWT and a USER NKEY SEED block); get one with nsc generate creds`,
    );
  return bytes;
}

export function connectSpec(profile: Pick<ConnectSpec, "auth" | "tls" | "connection">): ConnectSpec {
  return { auth: profile.auth, tls: profile.tls, connection: profile.connection };
}

export async function connectOptions(spec: ConnectSpec, name: string): Promise<ConnectionOptions> {
  const { auth, tls, connection: c } = spec;
  const options: ConnectionOptions = {
    name: `${c.name}-${name}`,
    timeout: c.connectTimeoutMs,
    maxReconnectAttempts: c.reconnectAttempts,
    reconnectTimeWait: c.reconnectWaitMs,
    reconnectJitter: c.reconnectJitterMs,
    reconnectJitterTLS: c.reconnectJitterMs,
    token: auth?.token,
    user: auth?.user,
    pass: auth?.password,
    ...(c.inboxPrefix !== undefined && { inboxPrefix: c.inboxPrefix }),
    ...(spec.pinned && { ignoreClusterUpdates: true }),
  };
  if (auth?.nkeyFile) options.authenticator = nkeyAuthenticator(await nkeySeed(auth.nkeyFile));
  if (auth?.credsFile) options.authenticator = credsAuthenticator(await creds(auth.credsFile));
  if (tls) {
    await checkReadable(tls.caFile, "TLS CA file");
    await checkReadable(tls.certFile, "TLS certificate file");
    await checkReadable(tls.keyFile, "TLS key file");
    options.tls = {
      ...(tls.caFile && { caFile: tls.caFile }),
      ...(tls.certFile && { certFile: tls.certFile, keyFile: tls.keyFile }),
      // nats.js hands these to tls.connect; only an explicit --tls-insecure turns verification off.
      ...(tls.insecure && { rejectUnauthorized: false }),
    } as ConnectionOptions["tls"];
  }
  return options;
}

/** One line on why a connection failed, and what to change; never the credentials themselves. */
export function connectFailure(
  err: Error,
  servers: string[],
  spec: Pick<ConnectSpec, "tls"> & Partial<Pick<ConnectSpec, "auth">>,
  flag = "--server",
): RuntimeFailure {
  const text = err.message;
  const where = servers.map(redactUrl).join(", ");
  const said = (hint: string) => new RuntimeFailure(`${where}${hint}`, { cause: err });
  // A URL with user info carries credentials: the rule redactUrl strips them by.
  const noCredentials = !spec.auth && servers.every((s) => redactUrl(s) === s);
  if (/authorization|authentication|user authentication expired/i.test(text) && noCredentials)
    return said(
      ` requires credentials and none were given (${text}); pass --user and --password, --token, --nkey or --creds (or NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_NKEY, NATS_CREDS)`,
    );
  if (/authorization|authentication|user authentication expired/i.test(text))
    return said(` refused the credentials (${text}); check the token, user/password, nkey or creds`);
  if (/certificate has expired|CERT_HAS_EXPIRED/i.test(text))
    return said(
      `: the server's TLS certificate has expired (${text}); renew it, or --tls-insecure for a test server`,
    );
  if (/self[- ]signed|unable to (get|verify)|UNABLE_TO_VERIFY|DEPTH_ZERO|certificate/i.test(text))
    return said(
      `: the server's TLS certificate is not trusted (${text}); ${spec.tls?.caFile ? "check that --tls-ca is the CA that signed it" : "pass its CA with --tls-ca FILE"}, or --tls-insecure for a test server`,
    );
  if (servers.some((s) => /^wss?:\/\//i.test(s))) {
    // An HTTP parser meeting the INFO line: a NATS client port, not a websocket listener.
    if (/Expected HTTP|Unexpected server response|Invalid WebSocket|Parse Error/i.test(text))
      return said(
        ` has no websocket listener (${text}): that port speaks plain NATS; use nats:// for it, or the port of the server's websocket block`,
      );
    if (/ECONNREFUSED|connection refused/i.test(text))
      return said(
        `: no websocket listener (connection refused); give the port of the server's websocket block (websocket { port: ... })`,
      );
  }
  if (/tls.*not available|tls required|TLS/i.test(text))
    return said(
      `: TLS does not match the server (${text}); use tls:// and the TLS flags only with a TLS server, and they are needed with one`,
    );
  return new RuntimeFailure(
    `cannot connect to ${where}: ${text}; check ${flag} and that nats-server runs there`,
    {
      cause: err,
    },
  );
}
