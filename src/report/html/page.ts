/**
 * One self-contained HTML file: the tables (from the same Markdown the CLI writes), the environment,
 * and interactive Chart.js charts. Chart.js and the chart decorations are inlined and a
 * Content-Security-Policy forbids every network request, so the file opens offline and stays the same
 * wherever it is mailed or archived.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Marked } from "marked";
import { decorateChart } from "../charts/decorate.js";
import type { ChartSpec } from "../charts/spec.js";

export interface HtmlPage {
  title: string;
  /** Markdown of the tables and verdicts. */
  markdown: string;
  /** Label/value rows describing where and how it ran. */
  environment: Array<[string, string]>;
  charts: ChartSpec[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Names and descriptions come from profiles: raw HTML in them is shown as text, never run.
const marked = new Marked({ gfm: true, renderer: { html: ({ text }) => escapeHtml(text) } });

const svg = (label: string, body: string) =>
  `<svg class="icon" role="img" aria-label="${label}" viewBox="0 0 16 16" width="16" height="16">${body}</svg>`;

/**
 * The Markdown's emoji (for GitHub, which draws them) as inline SVG: a browser without an emoji font,
 * headless Chromium among them, would show each as an empty box.
 */
const ICONS: Array<[RegExp, string]> = [
  [
    /✅/g,
    svg(
      "pass",
      '<circle cx="8" cy="8" r="7" fill="#2ca02c"/><path d="M4.5 8.5l2.3 2.3 4.7-5" stroke="#fff" stroke-width="2" fill="none"/>',
    ),
  ],
  [
    /❌/g,
    svg(
      "fail",
      '<circle cx="8" cy="8" r="7" fill="#d62728"/><path d="M5 5l6 6M11 5l-6 6" stroke="#fff" stroke-width="2"/>',
    ),
  ],
  [/🔴/g, svg("red", '<circle cx="8" cy="8" r="6" fill="#d62728"/>')],
  [/🟢/g, svg("green", '<circle cx="8" cy="8" r="6" fill="#2ca02c"/>')],
  [/⚪/g, svg("neutral", '<circle cx="8" cy="8" r="5.5" fill="#fff" stroke="#999" stroke-width="1.5"/>')],
  [
    /⚠️?/g,
    svg(
      "warning",
      '<path d="M8 1.5l7 13H1z" fill="#f0ad00"/><path d="M8 6v4.5M8 12v1" stroke="#222" stroke-width="1.6"/>',
    ),
  ],
];

export function iconsAsSvg(html: string): string {
  return ICONS.reduce((text, [emoji, icon]) => text.replace(emoji, icon), html);
}

let chartJsSource: string | undefined;

function chartJs(): string {
  if (chartJsSource === undefined) {
    // The package's exports do not name its browser bundle; it sits beside the CommonJS entry.
    const main = createRequire(import.meta.url).resolve("chart.js");
    chartJsSource = readFileSync(join(dirname(main), "chart.umd.min.js"), "utf8");
  }
  return chartJsSource;
}

/** Text safe inside a <script> element: no "</script" can close it early. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, "<\\/$1");
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; background: #fff; }
table { border-collapse: collapse; margin: 0.5rem 0 1.25rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; }
th { background: #f3f3f3; }
figure { margin: 1rem 0 2rem; }
.chart { position: relative; height: 440px; }
code { background: #f3f3f3; padding: 0 0.2rem; }
svg.icon { width: 1em; height: 1em; vertical-align: -0.15em; }
footer { color: #777; font-size: 0.85rem; margin-top: 2rem; }
`;

export function renderHtmlPage(page: HtmlPage): string {
  const charts = page.charts.map((c) => ({ name: c.name, config: c.config }));
  const figures = page.charts
    .map(
      (c, i) =>
        `<figure id="figure-${escapeHtml(c.name)}"><div class="chart"><canvas id="chart-${i}" role="img" aria-label="${escapeHtml(c.title)}"></canvas></div></figure>`,
    )
    .join("\n");
  const env = page.environment
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("\n");
  const boot = `
const decorateChart = (${decorateChart.toString()});
const charts = ${JSON.stringify(charts).replace(/</g, "\\u003c")};
charts.forEach((c, i) => {
  const config = decorateChart(c.config);
  config.options.responsive = true;
  config.options.maintainAspectRatio = false;
  new Chart(document.getElementById("chart-" + i), config);
});`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${iconsAsSvg(marked.parse(page.markdown, { async: false }))}
${figures ? `<h2>Charts</h2>\n${figures}` : ""}
<h2>Environment</h2>
<table class="environment">
${env}
</table>
<footer>Written by benchline. Charts: Chart.js, inlined; this file makes no network requests.</footer>
</main>
<script>${scriptSafe(chartJs())}</script>
<script>${scriptSafe(boot)}</script>
</body>
</html>
`;
}
