/**
 * A load's own credentials on agents (tenants: one identity per tenant's account). Secrets never travel
 * on the control plane, so what travels is the profile's own text for them: `${ENV}` references and
 * file paths, which each agent resolves from its own environment and its own files.
 */
import type { AuthSpec } from "../contract/profile.js";
import { UsageError } from "../errors.js";

const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * The reference form of a load's stored credentials, or a one-line refusal: a secret written into the
 * profile (stored as "[redacted]") or made for the run cannot reach an agent.
 */
export function authRefFor(stored: AuthSpec | undefined, load: string, file: string): AuthSpec {
  const why = `${file}: ${load} runs on agents, which log in with credentials of their own environment`;
  if (!stored)
    throw new UsageError(
      `${why}; benchline's own server makes its tenants' passwords for the run: name a server with --server whose users the agents can log in as, and give each tenant's auth as \${ENV} references`,
    );
  for (const key of ["token", "password"] as const) {
    const value = stored[key];
    if (value !== undefined && !WHOLE_REFERENCE.test(value))
      throw new UsageError(
        `${why}: write its auth.${key} as an \${ENV} reference that every agent's environment sets, not the secret itself`,
      );
  }
  return stored;
}

/** The agent's side: the references filled from its own environment, or why it cannot. */
export function resolveAuthRef(ref: AuthSpec, env: NodeJS.ProcessEnv, agent: string): AuthSpec {
  const fill = (value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1];
    if (!name) return value;
    const got = env[name];
    if (got === undefined || got === "")
      throw new Error(`agent ${agent} has no ${name} in its environment: set it where the agent runs`);
    return got;
  };
  return {
    ...(ref.user !== undefined && { user: fill(ref.user) }),
    ...(ref.password !== undefined && { password: fill(ref.password) }),
    ...(ref.token !== undefined && { token: fill(ref.token) }),
    ...(ref.nkeyFile !== undefined && { nkeyFile: ref.nkeyFile }),
    ...(ref.credsFile !== undefined && { credsFile: ref.credsFile }),
  };
}
