/**
 * The credentials a client needs to reach a server started from the user's config, when the file holds
 * them in a form benchline can read: one token, or one user and password, literal or by variable.
 */
import { type ConfValue, parseConf } from "./conf-parse.js";
import { keysOf, type Located, mapEntries, type UserConfig, withKeys } from "./user-config.js";

/**
 * A string value as the server would read it: a literal, or a variable defined earlier in the enclosing
 * block (`scope`), at the top level, or in the environment, whose value the server reads as config text.
 */
function resolveString(
  value: ConfValue,
  config: UserConfig,
  env: NodeJS.ProcessEnv,
  scope: Located[] = [],
  depth = 0,
): string | undefined {
  if (value.kind === "string") return value.text;
  if (value.kind !== "variable" || depth > 8) return undefined;
  // The server keeps an unquoted bcrypt hash ($2a$...) as written rather than look it up.
  if (value.name.startsWith("2a$")) return `$${value.name}`;
  const defined = scope.filter((l) => l.entry.key === value.name).at(-1) ?? config.top.get(value.name);
  if (defined) return resolveString(defined.entry.value, config, env, [], depth + 1);
  const raw = env[value.name];
  if (raw === undefined) return undefined;
  try {
    const [item] = parseConf(`v=${raw}`);
    if (item?.kind !== "entry") return undefined;
    return item.value.kind === "scalar"
      ? item.value.raw
      : resolveString(item.value, { ...config, top: new Map() }, env, [], depth + 1);
  } catch {
    return undefined;
  }
}

/** The credentials a client needs, when the file has one token or one user and benchline can read them. */
export async function configCredentials(
  config: UserConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ token: string } | { user: string; password: string } | undefined> {
  const auth = keysOf(config, "authorization").at(-1);
  if (auth?.entry.value.kind !== "map") return undefined;
  const entries = mapEntries(config, auth);
  const get = (name: string) => {
    const e = withKeys(entries, name).at(-1);
    return e ? resolveString(e.entry.value, config, env, entries) : undefined;
  };
  const token = get("token");
  if (token !== undefined) return token.startsWith("$2a$") ? undefined : { token };
  const user = get("user") ?? get("username");
  const password = get("password") ?? get("pass");
  // A bcrypt hash is what the server checks against, not what a client sends.
  if (user === undefined || password === undefined || password.startsWith("$2a$")) return undefined;
  return { user, password };
}
