/** `${VAR}` and `${VAR:-default}` substitution in the string values of a parsed profile. */
import { UsageError } from "../errors.js";

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function hasEnvReference(value: string): boolean {
  return /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/.test(value);
}

/** Returns a copy with every string's references replaced; a reference to an unset variable is an error. */
export function substituteEnv(doc: unknown, env: NodeJS.ProcessEnv, file: string, path = ""): unknown {
  if (typeof doc === "string") {
    return doc.replace(reference, (_m, name: string, fallback: string | undefined) => {
      const value = env[name];
      if (value !== undefined && value !== "") return value;
      if (fallback !== undefined) return fallback;
      throw new UsageError(
        `${file}: ${path || "(root)"}: \${${name}} is not set in the environment; export ${name} or remove the reference`,
      );
    });
  }
  if (Array.isArray(doc)) return doc.map((v, i) => substituteEnv(v, env, file, `${path}[${i}]`));
  if (doc !== null && typeof doc === "object") {
    return Object.fromEntries(
      Object.entries(doc).map(([k, v]) => [k, substituteEnv(v, env, file, path ? `${path}.${k}` : k)]),
    );
  }
  return doc;
}
