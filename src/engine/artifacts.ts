/** The artifacts directory of a run: artifacts/<UTC timestamp>-<profile>/, every file written atomically. */
import { join } from "node:path";
import { renderJson } from "../report/json.js";
import { renderMarkdown } from "../report/markdown.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { fileTimestamp } from "../util/time.js";
import type { RunResult } from "./result.js";

export function runArtifactsDir(root: string, result: RunResult): string {
  return join(root, `${fileTimestamp(new Date(result.startedAt))}-${result.profile.name}`);
}

/** Writes result.json and summary.md; returns the directory. */
export async function writeRunArtifacts(root: string, result: RunResult): Promise<string> {
  const dir = runArtifactsDir(root, result);
  await writeFileAtomic(join(dir, "result.json"), renderJson(result));
  await writeFileAtomic(join(dir, "summary.md"), renderMarkdown(result));
  return dir;
}
