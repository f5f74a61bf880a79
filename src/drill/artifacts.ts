/**
 * A drill's artifacts: the run's own (result.json with `drill`, summary.md with the drill section, the
 * run charts), and the drill's timeline chart, junit.xml (one testcase per expected alert) and, with
 * --html, report.html with the drill section and chart. Every file written atomically.
 */
import { join } from "node:path";
import { writeRunArtifacts } from "../engine/artifacts.js";
import { drillChart } from "../report/charts/drill-chart.js";
import { writePngs } from "../report/charts/png.js";
import { runCharts } from "../report/charts/run-charts.js";
import { renderDrillJunit } from "../report/drill-junit.js";
import { renderDrillMarkdown } from "../report/drill-table.js";
import { environmentRows } from "../report/html/documents-html.js";
import { renderHtmlPage } from "../report/html/page.js";
import { renderMarkdown } from "../report/markdown.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import type { DrillRunResult } from "./result.js";

export async function writeDrillArtifacts(
  root: string,
  result: DrillRunResult,
  options: { charts: boolean; html: boolean },
): Promise<{ dir: string; files: string[] }> {
  const { dir, files } = await writeRunArtifacts(root, result, { charts: options.charts, html: false });
  const markdown = `${renderMarkdown(result)}\n${renderDrillMarkdown(result.drill)}`;
  await writeFileAtomic(join(dir, "summary.md"), markdown);
  await writeFileAtomic(
    join(dir, "junit.xml"),
    renderDrillJunit(result.drill, result.profile.name, result.startedAt),
  );
  files.push("junit.xml");
  const chart = drillChart(result, result.drill);
  if (options.charts && chart) files.push(...(await writePngs(dir, [chart])));
  if (options.html) {
    const page = renderHtmlPage({
      title: `benchline drill: ${result.profile.name}`,
      markdown,
      environment: environmentRows(result.env),
      charts: [...(chart ? [chart] : []), ...runCharts(result)],
    });
    await writeFileAtomic(join(dir, "report.html"), page);
    files.push("report.html");
  }
  return { dir, files };
}
