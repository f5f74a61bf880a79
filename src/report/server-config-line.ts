/**
 * Which nats-server config the run's embedded server ran from, for the table, summary.md and the HTML
 * report: the path and the sha256 of each file, never its content. Pure.
 */
import type { RunEnv } from "../contract/env.js";
import { counted } from "../util/plural.js";

/** Enough of a sha256 to tell two files apart at a glance; summary.md keeps the whole hash. */
const short = (sha256: string) => sha256.slice(0, 12);

/** "deploy/nats.conf (sha256 1a2b3c4d5e6f), including 2 files", or undefined without a config. */
export function describeServerConfig(env: RunEnv): string | undefined {
  const c = env.serverConfig;
  if (!c) return undefined;
  const n = c.includes?.length ?? 0;
  return `${c.path} (sha256 ${short(c.sha256)})${n > 0 ? `, including ${counted(n, "file")}` : ""}`;
}

/** The terminal's line. */
export function serverConfigLine(env: RunEnv): string | undefined {
  const described = describeServerConfig(env);
  return described && `server config: ${described}`;
}

/** A Markdown code span that holds any path, backticks and all. */
function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** summary.md's lines: the file and each file it includes, with whole hashes to check them against. */
export function serverConfigMarkdown(env: RunEnv): string[] {
  const c = env.serverConfig;
  if (!c) return [];
  return [
    `Server config ${code(c.path)}, sha256 ${code(c.sha256)}${c.includes ? ", including:" : "."}`,
    ...(c.includes ?? []).map((f) => `- ${code(f.path)}, sha256 ${code(f.sha256)}`),
  ];
}
