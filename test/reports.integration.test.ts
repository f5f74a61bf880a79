/** The pictures and files of a real run: /metrics while it goes, then PNGs, .hgrm, HTML, Prometheus file, `report`. */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { expectOneLineError, runCli, startCli } from "./helpers/cli.js";
import { writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

/** The value of the first sample line that starts with `series`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("reports of a real run", () => {
  it("serves /metrics during the run and writes charts, .hgrm, report.html and the Prometheus file", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "pics",
      `stream: {name: PICS, subjects: ["pics.>"]}\npublishers:\n  - {mode: jetstream, subject: pics.a, rate: 2000}\nconsumers:\n  - {kind: pull}\nwarmup: 1s\nduration: 4s\nworkers: 1\n`,
    );
    const prom = join(dir.path, "textfile", "benchline.prom");
    const out = join(dir.path, "artifacts");
    const cli = startCli([
      "run",
      profile,
      "--out",
      out,
      "--html",
      "--metrics-port",
      "0",
      "--prometheus",
      prom,
    ]);

    // While it runs: the endpoint counts, the phase gauge says "measure", latency has samples.
    let scraped = "";
    let first: string | undefined;
    for (let i = 0; i < 100; i++) {
      const url = /serving metrics on (\S+)/.exec(cli.stderr())?.[1];
      if (url) {
        scraped = await (await fetch(url)).text();
        first ??= scraped;
        // The phase gauge moves on the coordinator's tick; the counts arrive with each second's
        // snapshot, which on a loaded machine may come a tick later: wait for both.
        if (
          sample(scraped, 'benchline_run_phase{phase="measure"') === 1 &&
          (sample(scraped, "benchline_published_total") ?? 0) > 1000
        )
          break;
      }
      await sleep(100);
    }
    expect(sample(scraped, 'benchline_run_phase{phase="measure",profile="pics"}')).toBe(1);
    expect(sample(scraped, "benchline_published_total")).toBeGreaterThan(1000);
    expect(sample(scraped, "benchline_pub_ack_latency_seconds_count")).toBeGreaterThan(1000);
    expect(await cli.exited).toBe(0);
    // From the first scrape on: error series at 0 and the profile's histograms, before their first sample.
    expect(
      sample(first!, 'benchline_publish_errors_total{kind="timeout",profile="pics"}'),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(first!, "benchline_e2e_latency_seconds_count")).toBeGreaterThanOrEqual(0);

    const [run] = await readdir(out);
    const files = (await readdir(join(out, run!))).sort();
    expect(files).toEqual(
      [
        "result.json",
        "summary.md",
        "report.html",
        "throughput.png",
        "latency-pubAck.png",
        "latency-pubAckRaw.png",
        "latency-e2e.png",
        "latency-sendLag.png",
        "percentiles.png",
        "pubAck.hgrm",
        "pubAckRaw.hgrm",
        "e2e.hgrm",
        "sendLag.hgrm",
      ].sort(),
    );
    const result = JSON.parse(await readFile(join(out, run!, "result.json"), "utf8")) as RunResult;
    const text = await readFile(prom, "utf8");
    expect(sample(text, "benchline_published_total")).toBe(result.counts.published);
    expect(sample(text, "benchline_consumed_total")).toBe(result.counts.consumed);
    expect(sample(text, 'benchline_publish_errors_total{kind="timeout"')).toBe(
      result.counts.publishErrors.timeout ?? 0,
    );
    // The file holds the measured phase, as result.json's latency does.
    expect(sample(text, "benchline_e2e_latency_seconds_count")).toBe(result.latency.e2e!.count);
    const hgrm = await readFile(join(out, run!, "e2e.hgrm"), "utf8");
    expect(hgrm).toContain(`Total count    = ${String(result.latency.e2e!.count).padStart(12)}]`);

    // `benchline report` reads the run back: Markdown as summary.md, the same charts as PNG.
    const md = await runCli(["report", join(out, run!, "result.json"), "--format", "md"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toBe(await readFile(join(out, run!, "summary.md"), "utf8"));
    const pngDir = join(dir.path, "pngs");
    const png = await runCli(["report", join(out, run!, "result.json"), "--format", "png", "--out", pngDir]);
    expect(png.code).toBe(0);
    expect((await readdir(pngDir)).sort()).toEqual(files.filter((f) => f.endsWith(".png")).sort());
    const html = await runCli(["report", join(out, run!, "result.json")]);
    expect(html.stderr).toBe(`wrote ${join(out, run!, "result.html")}\n`);
  });

  it("report refuses what it cannot read, in one line with exit 2", async () => {
    await using dir = await tempDir();
    const notJson = join(dir.path, "x.json");
    await writeFile(notJson, "{ nope");
    const other = join(dir.path, "other.json");
    await writeFile(other, JSON.stringify({ schema: "someone/else@1" }));
    const cases: Array<[string[], RegExp]> = [
      [["report", notJson], /x\.json is not JSON/],
      [
        ["report", other],
        /not a benchline result, baseline, compare or capacity file \(schema "someone\/else@1"\)/,
      ],
      [["report", join(dir.path, "missing.json")], /cannot read report input .*missing\.json: no such file/],
      [["report", other, "--format", "pdf"], /Invalid values:|Argument: format/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(expectOneLineError(r)).toMatch(message);
    }
    expect(await readFile(other, "utf8")).toBe(JSON.stringify({ schema: "someone/else@1" }));
  });
});
