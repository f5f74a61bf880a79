/**
 * A nats CLI context (`nats context save NAME ...`): a JSON file of connection settings under
 * $XDG_CONFIG_HOME/nats/context/ (~/.config/nats/context/ when unset). benchline reads the fields that
 * say where and how to connect and refuses, by name, those it cannot honour, rather than connect
 * somewhere else than the context means.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { readFailure } from "../util/files.js";
import { jsonFailure } from "../util/json-failure.js";
import type { ConnectionFlags } from "./connection.js";

/** What a context gives: the server URLs, and the connection flags it stands in for. */
export interface NatsContext {
  name: string;
  file: string;
  url?: string;
  flags: ConnectionFlags;
}

/** Fields that change where or how the CLI connects, which benchline has no way to follow. */
const UNSUPPORTED: Record<string, string> = {
  socks_proxy: "a SOCKS proxy",
  jetstream_domain: "a JetStream domain",
  jetstream_api_prefix: "a JetStream API prefix",
  nsc: "an nsc lookup",
  user_jwt: "a user JWT without a creds file",
  tls_first: "TLS before the INFO handshake",
  windows_cert_store: "the Windows certificate store",
};

/** The file a context name means: a name in the CLI's context dir, or a path to a .json file. */
export function natsContextFile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (name.includes("/") || name.endsWith(".json")) return resolve(name);
  if (name === "" || name.startsWith(".") || name.includes("\\"))
    throw new UsageError(
      `--context "${name}": a context name has no dots in front and no slashes; see nats context ls`,
    );
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(config, "nats", "context", `${name}.json`);
}

/** As the nats CLI does: `~/` in a path means the home directory. */
function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path.startsWith("~/") ? join(env.HOME || homedir(), path.slice(2)) : path;
}

export function readNatsContext(name: string, env: NodeJS.ProcessEnv = process.env): NatsContext {
  const file = natsContextFile(name, env);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    if (err instanceof SyntaxError)
      throw new UsageError(
        `--context ${name}: ${file} is not valid JSON (${jsonFailure(err)}); fix or re-save the context`,
      );
    throw new UsageError(
      `--context ${name}: cannot read ${file} (${readFailure(err)}); list contexts with nats context ls, or save one with nats context save ${name} --server URL`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new UsageError(`--context ${name}: ${file} holds no JSON object; re-save the context`);
  const fields = raw as Record<string, unknown>;
  for (const [key, what] of Object.entries(UNSUPPORTED)) {
    const v = fields[key];
    if (v !== undefined && v !== "" && v !== false && v !== null)
      throw new UsageError(
        `--context ${name}: it uses ${what} (${key}), which benchline does not support; make a context without it, or pass --server and the credentials as flags`,
      );
  }
  const text = (key: string): string | undefined => {
    const v = fields[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") throw new UsageError(`--context ${name}: ${key} in ${file} must be a string`);
    return v;
  };
  const path = (key: string) => {
    const v = text(key);
    return v === undefined ? undefined : resolve(expandHome(v, env));
  };
  const flags: ConnectionFlags = {
    token: text("token"),
    user: text("user"),
    password: text("password"),
    creds: path("creds"),
    nkey: path("nkey"),
    tlsCert: path("cert"),
    tlsKey: path("key"),
    tlsCa: path("ca"),
    inboxPrefix: text("inbox_prefix"),
  };
  for (const key of Object.keys(flags) as Array<keyof ConnectionFlags>)
    if (flags[key] === undefined) delete flags[key];
  return { name, file, url: text("url"), flags };
}
