/** The artifacts directory of a run: artifacts/<UTC timestamp>-<profile>/, every file written atomically. */
import { join } from "node:path";
import type { RunResult } from "../contract/result.js";
import { writePngs } from "../report/charts/png.js";
import { runCharts } from "../report/charts/run-charts.js";
import { writeHgrms } from "../report/hgrm.js";
import { renderDocumentHtml } from "../report/html/documents-html.js";
import { renderJson } from "../report/json.js";
import { renderMarkdown } from "../report/markdown.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { fileTimestamp } from "../util/time.js";

export interface ArtifactOptions {
  /** PNG charts and .hgrm files beside result.json. */
  charts: boolean;
  /** report.html, self-contained. */
  html: boolean;
}

export function runArtifactsDir(root: string, result: RunResult): string {
  return join(root, `${fileTimestamp(new Date(result.startedAt))}-${result.profile.name}`);
}

/** Writes result.json and summary.md first (the record), then the pictures; returns the dir and the files. */
export async function writeRunArtifacts(
  root: string,
  result: RunResult,
  options: ArtifactOptions = { charts: false, html: false },
): Promise<{ dir: string; files: string[] }> {
  const dir = runArtifactsDir(root, result);
  await writeFileAtomic(join(dir, "result.json"), renderJson(result));
  await writeFileAtomic(join(dir, "summary.md"), renderMarkdown(result));
  const files = ["result.json", "summary.md"];
  if (options.charts) {
    files.push(...(await writePngs(dir, runCharts(result))));
    files.push(...(await writeHgrms(dir, result.latency)));
  }
  if (options.html) {
    await writeFileAtomic(join(dir, "report.html"), renderDocumentHtml({ kind: "run", doc: result }));
    files.push("report.html");
  }
  return { dir, files };
}
