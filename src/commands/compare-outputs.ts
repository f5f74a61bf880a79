/** The files a compare (or ab) writes: compare.json and the CI formats first, then the pictures. */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { CompareReport } from "../baseline/report-model.js";
import type { ArtifactOptions } from "../engine/artifacts.js";
import { renderBencher } from "../report/bencher.js";
import { compareCharts } from "../report/charts/compare-charts.js";
import { writePngs } from "../report/charts/png.js";
import { renderCompareMarkdown } from "../report/compare-markdown.js";
import { renderBiggerIsBetter, renderSmallerIsBetter } from "../report/github-benchmark.js";
import { renderHgrm } from "../report/hgrm.js";
import { renderDocumentHtml } from "../report/html/documents-html.js";
import { renderJunit } from "../report/junit.js";
import { writeFileAtomic } from "../util/atomic-write.js";

/** The record first (compare.json and the CI formats), then the pictures; returns the file names. */
export async function writeCompareOutputs(
  dir: string,
  report: CompareReport,
  options: ArtifactOptions = { charts: false, html: false },
): Promise<string[]> {
  const markdown = renderCompareMarkdown(report);
  const outputs: Array<[string, string]> = [
    ["compare.json", `${JSON.stringify(report, null, 2)}\n`],
    ["compare.md", markdown],
    ["junit.xml", renderJunit(report)],
    ["bencher.json", renderBencher(report)],
    ["github-benchmark-smaller.json", renderSmallerIsBetter(report)],
    ["github-benchmark-bigger.json", renderBiggerIsBetter(report)],
  ];
  for (const [file, text] of outputs) await writeFileAtomic(join(dir, file), text);
  const files = outputs.map(([file]) => file);
  if (options.charts) {
    files.push(...(await writePngs(dir, compareCharts(report))));
    for (const d of report.distributions ?? []) {
      for (const [side, hdr] of [
        ["baseline", d.baselineHdr],
        ["candidate", d.candidateHdr],
      ] as const) {
        await writeFileAtomic(join(dir, `${side}-${d.kind}.hgrm`), renderHgrm(hdr));
        files.push(`${side}-${d.kind}.hgrm`);
      }
    }
  }
  if (options.html) {
    await writeFileAtomic(join(dir, "report.html"), renderDocumentHtml({ kind: "compare", doc: report }));
    files.push("report.html");
  }
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary) await appendFile(summary, markdown);
  return files;
}
