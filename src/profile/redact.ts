/** The form of a profile that may be written to results and baselines: no secret's value survives. */
import { hasEnvReference } from "./env.js";
import type { AuthSpec, Profile } from "./profile.js";

export const REDACTED = "[redacted]";

/** Strips user:password@ from a URL. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^@/]*@/i, `$1${REDACTED}@`);
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
