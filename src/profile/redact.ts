/** The form of a profile that may be written to results and baselines: no secret's value survives. */
import type { AuthSpec, Profile } from "../contract/profile.js";
import { hasEnvReference } from "./env.js";

export const REDACTED = "[redacted]";

/** Strips user:password@ (or token@) from a URL, with or without its scheme. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, (_, scheme = "") => `${scheme}${REDACTED}@`);
}

/**
 * `resolved` has the environment substituted; `unsubstituted` is the same profile before that. A secret
 * written as a ${ENV} reference is stored as the reference; any other secret as [redacted].
 */
export function redactProfile(resolved: Profile, unsubstituted: Profile): Profile {
  return {
    ...resolved,
    servers: unsubstituted.servers.map(redactUrl),
    auth: resolved.auth && redactAuth(unsubstituted.auth),
    ...(resolved.tenants && {
      tenants: resolved.tenants.map((t, i) => ({
        ...t,
        auth: t.auth && redactAuth(unsubstituted.tenants?.[i]?.auth),
      })),
    }),
  };
}

/** Secrets as their ${ENV} reference or [redacted]; names and file paths kept. */
function redactAuth(unsubstituted: AuthSpec | undefined): AuthSpec {
  const keep = (raw: string | undefined) =>
    raw === undefined ? undefined : hasEnvReference(raw) ? raw : REDACTED;
  return {
    token: keep(unsubstituted?.token),
    user: unsubstituted?.user,
    password: keep(unsubstituted?.password),
    // Paths, not secrets: where the seed or creds live may be kept, their contents are never read here.
    nkeyFile: unsubstituted?.nkeyFile,
    credsFile: unsubstituted?.credsFile,
  };
}

/** An nkey seed (user, account, operator ...): S, the key type, then base32. */
const SEED = /\bS[UACONPX][A-Z2-7]{50,}\b/g;
/** A JWT: three base64url parts, the first two JSON objects. */
const JWT = /\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g;

/** Whether a value given as a file's path is a seed, a JWT or a creds file's text instead. */
export function looksLikeSecret(value: string): boolean {
  const name = value.split(/[\\/]/).pop() ?? value;
  return new RegExp(SEED.source).test(name) || new RegExp(JWT.source).test(name) || /-----BEGIN/.test(value);
}

/**
 * Text to print with every secret taken out: user:password@ in any URL, nkey seeds, JWTs, and the
 * literal values in `secrets` (the tokens and passwords this process was given).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s@/"'`]*@/gi, `$1${REDACTED}@`)
    .replace(SEED, REDACTED)
    .replace(JWT, REDACTED);
  // Longest first, so that a secret containing another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length))
    if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * The token and password values that flags and environment give this process, for redactText: those of
 * --token and --password (and their --control- forms), NATS_TOKEN, NATS_PASSWORD, and user info in URLs.
 */
export function givenSecrets(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const flag = /^--(control-)?(token|password)(=(.*))?$/;
  const out: string[] = [];
  argv.forEach((arg, i) => {
    const m = flag.exec(arg);
    const value = m && (m[3] === undefined ? argv[i + 1] : m[4]);
    if (value) out.push(value);
  });
  for (const name of ["NATS_TOKEN", "NATS_PASSWORD", "BENCHLINE_CONTROL_TOKEN", "BENCHLINE_CONTROL_PASSWORD"])
    if (env[name]) out.push(env[name]!);
  const urls = [...argv, env.NATS_URL ?? "", env.BENCHLINE_CONTROL ?? ""].flatMap((v) => v.split(","));
  for (const url of urls) {
    const info = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^@/\s]+)@/i.exec(url.trim())?.[1];
    if (info) out.push(info.includes(":") ? info.slice(info.indexOf(":") + 1) : info);
  }
  return out;
}
