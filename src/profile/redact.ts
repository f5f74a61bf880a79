/** The form of a profile that may be written to results and baselines: no secret's value survives. */
import { hasEnvReference } from "./env.js";
import type { Profile } from "./profile.js";

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
  const keep = (raw: string | undefined) =>
    raw === undefined ? undefined : hasEnvReference(raw) ? raw : REDACTED;
  return {
    ...resolved,
    servers: unsubstituted.servers.map(redactUrl),
    auth: resolved.auth && {
      token: keep(unsubstituted.auth?.token),
      user: unsubstituted.auth?.user,
      password: keep(unsubstituted.auth?.password),
      // Paths, not secrets: where the seed or creds live may be kept, their contents are never read here.
      nkeyFile: unsubstituted.auth?.nkeyFile,
      credsFile: unsubstituted.auth?.credsFile,
    },
  };
}
