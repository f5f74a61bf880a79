import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CompareReport } from "../src/baseline/report-model.js";
import { runCli } from "./helpers/cli.js";
import { writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

const load = `publishers:\n  - {mode: core, subject: res.x, rate: 1000}\nconsumers:\n  - {kind: core, subject: res.x}\nwarmup: 200ms\nduration: 1s\ndrain: 500ms\nworkers: 1\n`;

describe("--resolution on the embedded server", () => {
  it("adds runs up to --max-repeat, then says it stopped there and what resolution it reached", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(dir.path, "res", load);
    const baseline = join(dir.path, "base.json");
    const rec = await runCli([
      "baseline",
      "record",
      profile,
      "--repeat",
      "4",
      "--resolution",
      "6%",
      "--max-repeat",
      "4",
      "--out",
      baseline,
      "--artifacts",
      join(dir.path, "a"),
      "--detect",
      "50%",
    ]);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stdout).toMatch(/resolution \(5 candidates\)/);
    expect(rec.stdout).toMatch(/resolved|NOT RESOLVED: stopped at --max-repeat 4 runs/);
    expect(rec.stderr).toMatch(/look 1 after 4 runs: resolution/);

    // A resolution of 0.2% cannot be reached with 5 candidates on a shared machine: it runs 4, looks,
    // adds one, looks again, and stops at the most.
    const out = join(dir.path, "c");
    const cmp = await runCli([
      "compare",
      baseline,
      "--repeat",
      "4",
      "--metric",
      "e2e.p99",
      "--noise",
      "0.1",
      "--resolution",
      "0.2%",
      "--max-repeat",
      "5",
      "--out",
      out,
    ]);
    expect([0, 1]).toContain(cmp.code);
    expect(cmp.stderr).toMatch(/look 2 after 5 candidate runs: resolution .*stop: (max-repeat|regressed)/);
    const [run] = await readdir(out);
    const report = JSON.parse(await readFile(join(out, run!, "compare.json"), "utf8")) as CompareReport;
    expect(report.candidate.runs).toBe(5);
    const stop = report.resolution!.stop!;
    if (stop.reason === "max-repeat") {
      expect(cmp.stdout).toMatch(/NOT RESOLVED: stopped at --max-repeat 5 candidate runs with resolution \d/);
      expect(stop.reached).toBeGreaterThan(0.002);
      expect(stop.informationFraction).toBe(1);
    }
    expect(report.metrics[0]!.resolution!.change).toBe(stop.reached);
    const junit = await readFile(join(out, run!, "junit.xml"), "utf8");
    expect(junit).toContain('<property name="resolution.e2e.p99"');
    expect(await readFile(join(out, run!, "compare.md"), "utf8")).toMatch(/\| resolution \|/);
  }, 180_000);
});
