/** Reads a profile file (YAML or JSON), substitutes ${ENV}, validates it once and resolves it. */
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import type { Profile } from "../contract/profile.js";
import { UsageError } from "../errors.js";
import { readFailure } from "../util/files.js";
import { jsonFailure } from "../util/json-failure.js";
import { substituteEnv } from "./env.js";
import { redactProfile } from "./redact.js";
import { resolveProfile } from "./resolve.js";
import { profileSchema } from "./schema.js";

/** A loaded profile and the form of it that may be stored (secrets as ${ENV} or [redacted]). */
export interface LoadedProfile {
  profile: Profile;
  stored: Profile;
  path: string;
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

/** One line for the first problem zod found, naming the key path and the file. */
export function describeSchemaError(error: z.ZodError, file: string): string {
  const issue = error.issues[0]!;
  const at = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => (at ? `${at}.${k}` : k));
    return `${file}: unknown key ${keys.join(", ")}; remove it or check the spelling`;
  }
  if (at.endsWith(".rate")) {
    return `${file}: ${at}: must be a positive number of msgs/s or "max"`;
  }
  return `${file}: ${at || "(root)"}: ${issue.message}`;
}

/** Parses profile text; `file` names it in errors. */
export function parseProfileText(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): LoadedProfile {
  let doc: unknown;
  try {
    doc =
      extname(file).toLowerCase() === ".json"
        ? JSON.parse(text)
        : parseYaml(text, { prettyErrors: true, logLevel: "error" });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
      throw new UsageError(
        `${where}: malformed YAML: ${err.message.split("\n")[0]!.replace(/ at line.*$/, "")}`,
      );
    }
    throw new UsageError(`${file}: malformed JSON: ${jsonFailure(err)}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(
      `${file}: a profile is a mapping of keys (name, publishers, ...), not ${Array.isArray(doc) ? "a list" : typeof doc}`,
    );
  }
  const check = profileSchema.safeParse(doc);
  if (!check.success) throw new UsageError(describeSchemaError(check.error, file));
  const substituted = profileSchema.safeParse(substituteEnv(doc, env, file));
  if (!substituted.success) throw new UsageError(describeSchemaError(substituted.error, file));
  const fallbackName = basename(file, extname(file)).replace(/[^A-Za-z0-9_-]/g, "-");
  const profile = resolveProfile(substituted.data, fallbackName, file);
  const unsubstituted = resolveProfile(check.data, fallbackName, file);
  return { profile, stored: redactProfile(profile, unsubstituted), path: file };
}

export async function loadProfile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedProfile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read profile ${file}: ${readFailure(err)}; profiles ship in profiles/ (e.g. profiles/smoke.yaml)`,
    );
  }
  return parseProfileText(text, file, env);
}
