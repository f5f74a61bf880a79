/** `benchline report FILE`: the HTML report, the Markdown, or the PNG charts of any file benchline wrote. */
import { basename, dirname, extname, join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../errors.js";
import { writePngs } from "../report/charts/png.js";
import { readDocument } from "../report/documents.js";
import { documentCharts, documentMarkdown, renderDocumentHtml } from "../report/html/documents-html.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ensureWritableDir } from "../util/files.js";

const FORMATS = ["html", "md", "png"] as const;

interface ReportArgs {
  file: string;
  format: (typeof FORMATS)[number];
  out?: string;
}

async function report(args: ReportArgs): Promise<void> {
  const document = await readDocument(args.file);
  const stem = basename(args.file, extname(args.file));
  switch (args.format) {
    case "html": {
      const out = args.out ?? join(dirname(args.file), `${stem}.html`);
      if (!out.endsWith(".html"))
        throw new UsageError(`--out ${out}: an HTML report's file name ends in .html`);
      await ensureWritableDir(dirname(out), "report dir (--out)");
      await writeFileAtomic(out, renderDocumentHtml(document));
      process.stderr.write(`wrote ${out}\n`);
      return;
    }
    case "md": {
      const markdown = documentMarkdown(document);
      if (args.out === undefined) {
        process.stdout.write(markdown);
        return;
      }
      await ensureWritableDir(dirname(args.out), "report dir (--out)");
      await writeFileAtomic(args.out, markdown);
      process.stderr.write(`wrote ${args.out}\n`);
      return;
    }
    case "png": {
      const dir = args.out ?? dirname(args.file);
      const charts = documentCharts(document);
      if (charts.length === 0)
        throw new UsageError(`${args.file} holds no per-second or latency data to chart`);
      await ensureWritableDir(dir, "charts dir (--out)");
      const files = await writePngs(dir, charts);
      process.stderr.write(`wrote ${files.map((f) => join(dir, f)).join(", ")}\n`);
      return;
    }
  }
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report <file>",
  describe: "turn a result, baseline, compare or capacity file into an HTML report, Markdown or PNG charts",
  builder: (y: Argv) =>
    y
      .positional("file", {
        type: "string",
        demandOption: true,
        describe: "result.json, a baseline, compare.json or capacity.json",
      })
      .option("format", {
        choices: FORMATS,
        default: "html" as const,
        describe: "html: one self-contained file; md: Markdown tables; png: the charts",
      })
      .option("out", {
        type: "string",
        describe: "html/md: the file to write (md default: stdout); png: the dir (default: beside FILE)",
      })
      .example("$0 report artifacts/<run>/result.json", "writes artifacts/<run>/result.html")
      .example("$0 report baselines/smoke.json --format md", "the baseline's medians as Markdown")
      .epilogue("guide: docs/outputs.md") as Argv<ReportArgs>,
  handler: report,
};
