/**
 * `benchline history show|check|import`: the series of a profile's runs kept in a history store, the
 * change points in them, a CI verdict on the newest regime (exit 1 when it is worse beyond noise), and
 * seeding a store from existing baselines and results.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { metricInfo } from "../baseline/metrics.js";
import { UsageError, VerdictFailed } from "../errors.js";
import {
  analyseMetric,
  checkHistory,
  type HistoryCheckReport,
  type MetricHistory,
  regressionLine,
} from "../history/check.js";
import type { EntrySummary } from "../history/entry.js";
import { importFiles } from "../history/import.js";
import { historyStore } from "../history/record.js";
import { openStore } from "../history/store.js";
import { loadProfile } from "../profile/loader.js";
import { renderBencher } from "../report/bencher.js";
import { renderPng } from "../report/charts/png.js";
import { renderBiggerIsBetter, renderSmallerIsBetter } from "../report/github-benchmark.js";
import {
  changeText,
  historyAsCompare,
  renderHistoryCheckMarkdown,
  renderHistoryCheckTable,
} from "../report/history-check.js";
import { historyCharts, renderHistoryShowMarkdown, renderHistoryShowTable } from "../report/history-show.js";
import { renderHtmlPage } from "../report/html/page.js";
import { renderJunit } from "../report/junit.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { parseNoise } from "./verdict-options.js";

interface QueryArgs {
  profile: string;
  history?: string;
  metric?: string[];
  since?: string;
  seed: number;
}

/** A profile's name, or the name inside a profile file. */
async function profileName(given: string): Promise<string> {
  if (/\.(ya?ml|json)$/i.test(given)) return (await loadProfile(given)).profile.name;
  return given;
}

/** --since: an ISO date or time, or a span back from now (30d, 12h). */
export function parseSince(value: string | undefined, now = new Date()): string | undefined {
  if (value === undefined) return undefined;
  const span = /^(\d+)([dhw])$/.exec(value);
  if (span) {
    const hours = Number(span[1]) * ({ h: 1, d: 24, w: 168 } as const)[span[2] as "h" | "d" | "w"];
    return new Date(now.getTime() - hours * 3_600_000).toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new UsageError(`--since ${value}: give a date (2025-01-31), a time, or a span (30d, 12h, 2w)`);
  return new Date(t).toISOString();
}

function requireStore(args: { history?: string }): string {
  const spec = historyStore(args);
  if (spec === undefined)
    throw new UsageError("name the history store with --history STORE or BENCHLINE_HISTORY");
  return spec;
}

/** The entries and the metrics to look at: --metric, or the gating metrics the newest entry names. */
async function query(
  args: QueryArgs,
): Promise<{ label: string; name: string; entries: EntrySummary[]; metrics: string[]; since?: string }> {
  const spec = requireStore(args);
  const name = await profileName(args.profile);
  const since = parseSince(args.since);
  for (const m of args.metric ?? [])
    if (!metricInfo(m))
      throw new UsageError(`--metric ${m}: unknown metric; use e.g. pubAck.p99, throughput.publishedPerSec`);
  const store = await openStore(spec);
  let entries: EntrySummary[];
  try {
    entries = await store.list({ profile: name, since });
  } finally {
    await store.close();
  }
  if (entries.length === 0)
    throw new UsageError(
      `history ${store.label} holds no runs of ${name}${since ? ` since ${since}` : ""}; record some with --history or \`benchline history import\``,
    );
  const metrics = args.metric?.length ? args.metric : entries.at(-1)!.gating;
  return { label: store.label, name, entries, metrics, since };
}

interface ShowArgs extends QueryArgs {
  format: "table" | "json" | "md" | "html" | "png";
  out?: string;
}

async function show(args: ShowArgs): Promise<void> {
  const { name, entries, metrics } = await query(args);
  const analysed: MetricHistory[] = metrics
    .map((m) => analyseMetric(entries, m, { noiseFor: () => 0.05, seed: args.seed }))
    .filter((m) => m.points.length > 0);
  if (args.format === "table") process.stdout.write(renderHistoryShowTable(name, analysed, entries));
  else if (args.format === "md") process.stdout.write(renderHistoryShowMarkdown(name, analysed, entries));
  else if (args.format === "json")
    process.stdout.write(`${JSON.stringify({ profile: name, metrics: analysed }, null, 2)}\n`);
  else {
    const charts = historyCharts(name, analysed, entries);
    const files: string[] = [];
    if (args.format === "png") {
      for (const spec of charts) {
        const file = args.out && charts.length === 1 ? args.out : join(args.out ?? ".", `${spec.name}.png`);
        await writeFileAtomic(file, renderPng(spec));
        files.push(file);
      }
    } else {
      const file = args.out ?? `history-${name}.html`;
      const html = renderHtmlPage({
        title: `benchline history: ${name}`,
        markdown: renderHistoryShowMarkdown(name, analysed, entries),
        environment: [
          ["entries", String(entries.length)],
          ["from", entries[0]!.time],
          ["to", entries.at(-1)!.time],
        ],
        charts,
      });
      await writeFileAtomic(file, html);
      files.push(file);
    }
    process.stderr.write(`wrote ${files.join(", ")}\n`);
  }
}

interface CheckArgs extends QueryArgs {
  noise: string[];
  out: string;
  json: boolean;
}

/** history-check.json, its Markdown, and compare's CI formats; the step summary when on GitHub. */
async function writeCheckOutputs(dir: string, report: HistoryCheckReport): Promise<string[]> {
  const asCompare = historyAsCompare(report);
  const markdown = renderHistoryCheckMarkdown(report);
  const outputs: Array<[string, string]> = [
    ["history-check.json", `${JSON.stringify(report, null, 2)}\n`],
    ["history-check.md", markdown],
    ["junit.xml", renderJunit(asCompare).replaceAll('"benchline compare ', '"benchline history check ')],
    ["bencher.json", renderBencher(asCompare)],
    ["github-benchmark-smaller.json", renderSmallerIsBetter(asCompare)],
    ["github-benchmark-bigger.json", renderBiggerIsBetter(asCompare)],
  ];
  for (const [file, text] of outputs) await writeFileAtomic(join(dir, file), text);
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary) await appendFile(summary, markdown);
  return outputs.map(([f]) => f);
}

async function check(args: CheckArgs): Promise<void> {
  const noiseFor = parseNoise(args.noise);
  const { label, name, entries, metrics, since } = await query(args);
  const report = checkHistory(entries, metrics, {
    noiseFor,
    seed: args.seed,
    store: label,
    profile: name,
    since,
  });
  const files = await writeCheckOutputs(args.out, report);
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderHistoryCheckTable(report));
  process.stderr.write(`wrote ${args.out}/ (${files.join(", ")})\n`);
  if (!report.passed) throw new VerdictFailed(`regressed: ${regressionLine(report, changeText)}`);
}

interface ImportArgs {
  files: string[];
  history?: string;
  profile?: string;
  allowProfileChange: boolean;
  gitSha?: string;
  gitBranch?: string;
}

async function importCommand(args: ImportArgs): Promise<void> {
  const store = await openStore(requireStore(args));
  try {
    const { entries, added } = await importFiles(store, args.files, args);
    const runs = entries.reduce((n, e) => n + e.runs.length, 0);
    process.stderr.write(
      `imported ${added} entries (${runs} runs) into ${store.label}${added < entries.length ? `; ${entries.length - added} were there already` : ""}\n`,
    );
  } finally {
    await store.close();
  }
}

function withQuery<T>(y: Argv<T>) {
  return y
    .positional("profile", { type: "string", demandOption: true, describe: "profile name, or its file" })
    .option("history", {
      type: "string",
      describe: "history store: a directory or a postgres:// URL (env BENCHLINE_HISTORY)",
    })
    .option("metric", {
      type: "string",
      array: true,
      describe: "these metrics (default: those a compare gates on)",
    })
    .option("since", { type: "string", describe: "only runs since: 2025-01-31, or 30d, 12h, 2w" })
    .option("seed", { type: "number", default: 1, describe: "seed of the permutation tests and intervals" });
}

export const historyCommand: CommandModule = {
  command: "history",
  describe: "the runs kept in a history store: show the series, check the newest regime, import files",
  builder: (y: Argv) =>
    y
      .command({
        command: "show <profile>",
        describe: "each metric's series with its change points, regime medians and environment changes",
        builder: (b: Argv) =>
          withQuery(b)
            .option("format", {
              choices: ["table", "json", "md", "html", "png"] as const,
              default: "table" as const,
            })
            .option("out", {
              type: "string",
              describe: "html: the file; png: the file (one metric) or directory",
            })
            .epilogue("guide: docs/compare-in-ci.md"),
        handler: (a) => show(a as unknown as ShowArgs),
      })
      .command({
        command: "check <profile>",
        describe: "change points in each gating metric; exit 1 when the newest regime is worse beyond noise",
        builder: (b: Argv) =>
          withQuery(b)
            .option("noise", {
              type: "string",
              array: true,
              default: [],
              describe: "noise threshold in %: 5, or METRIC=PERCENT (default 5)",
            })
            .option("out", {
              type: "string",
              default: "artifacts/history-check",
              describe: "where the reports go",
            })
            .option("json", {
              type: "boolean",
              default: false,
              describe: "print history-check.json instead of the table",
            })
            .example("$0 history check profiles/smoke.yaml --history postgres://bench@db/bench", "")
            .epilogue("guide: docs/compare-in-ci.md"),
        handler: (a) => check(a as unknown as CheckArgs),
      })
      .command({
        command: "import <files..>",
        describe: "seed a history from baselines and run results (result.json)",
        builder: (b: Argv) =>
          b
            .positional("files", { type: "string", array: true, demandOption: true })
            .option("history", {
              type: "string",
              describe: "history store: a directory or a postgres:// URL (env BENCHLINE_HISTORY)",
            })
            .option("profile", { type: "string", describe: "refuse files of any other profile" })
            .option("allow-profile-change", {
              type: "boolean",
              default: false,
              describe: "import a profile whose hash differs from the store's",
            })
            .option("git-sha", {
              type: "string",
              describe: "commit the files measured (default: their env.gitSha)",
            })
            .option("git-branch", { type: "string", describe: "branch the files measured" })
            .epilogue("guide: docs/compare-in-ci.md"),
        handler: (a) => importCommand(a as unknown as ImportArgs),
      })
      .demandCommand(1, "say show, check or import")
      .epilogue("guide: docs/compare-in-ci.md"),
  handler: () => {},
};
