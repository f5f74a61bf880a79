/**
 * `promtool test rules`: the recording rules of `benchline slo --format prometheus` over the very series
 * benchline exports, as Prometheus would scrape them for two hours.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { renderPrometheusText } from "../src/report/prometheus/textfile.js";
import { deriveSlos } from "../src/slo/derive.js";
import { seriesNames } from "../src/slo/prometheus-names.js";
import { BURN_WINDOWS, renderPrometheusRules } from "../src/slo/prometheus-rules.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { fixtureCounts } from "./fixtures/run-result.js";
import { tempDir } from "./helpers/tmp.js";

const PROMTOOL = "/usr/bin/promtool";
const MINUTES = 120;
const WINDOWS = [...new Set(BURN_WINDOWS.flatMap(([, long, short]) => [long, short]))];

/** The counter samples of an exposition text: `name{labels}` -> value. */
function counterSeries(text: string): Array<[string, number]> {
  return text
    .split("\n")
    .filter((l) => /^benchline_(published|publish_errors)_total\{/.test(l))
    .map((l) => [l.slice(0, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))]);
}

/**
 * A promtool test: every exported series keeps growing at its per-minute rate from where the file has
 * it (`published` grows by `publishedPerMin`, each error series by `errorsPerMin`), and the ratio rules
 * must give `expected` at the end, or no sample at all when `expected` is undefined.
 */
function promtoolTest(series: Array<[string, number]>, perMin: (name: string) => number, expected?: number) {
  return {
    rule_files: ["rules.yml"],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: series.map(([name, value]) => ({
          series: name,
          values: `${value}+${perMin(name)}x${MINUTES}`,
        })),
        promql_expr_test: WINDOWS.map((w) => ({
          expr: `benchline:publish_error_ratio:rate${w}`,
          eval_time: `${MINUTES}m`,
          exp_samples:
            expected === undefined
              ? []
              : [{ labels: `benchline:publish_error_ratio:rate${w}`, value: expected }],
        })),
      },
    ],
  };
}

async function runPromtool(test: object): Promise<{ status: number | null; output: string }> {
  await using dir = await tempDir();
  const set = deriveSlos(fixtureBaseline(), "b.json", {
    headroom: 1.25,
    targetPercent: 99.9,
    windowS: 86_400,
  });
  await writeFile(
    join(dir.path, "rules.yml"),
    renderPrometheusRules(set, seriesNames("benchline", ""), "benchline"),
  );
  await writeFile(join(dir.path, "test.yml"), stringify(test));
  const r = spawnSync(PROMTOOL, ["test", "rules", "test.yml"], { cwd: dir.path, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!existsSync(PROMTOOL))("promtool test rules over benchline's series", () => {
  it("zero errors: every error ratio is 0, not no data", async () => {
    const text = await renderPrometheusText("orders", [
      { counts: fixtureCounts({ published: 6000 }), latency: {} },
    ]);
    const series = counterSeries(text);
    expect(series.filter(([name]) => name.includes("publish_errors")).length).toBeGreaterThan(0);
    const perMin = (name: string) => (name.startsWith("benchline_published_total") ? 6000 : 0);
    const r = await runPromtool(promtoolTest(series, perMin, 0));
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("one publish in a hundred failing: every error ratio is 0.01", async () => {
    const text = await renderPrometheusText("orders", [
      { counts: fixtureCounts({ published: 6000, publishErrors: { timeout: 60 } }), latency: {} },
    ]);
    const perMin = (name: string) =>
      name.startsWith("benchline_published_total") ? 6000 : name.includes('kind="timeout"') ? 60 : 0;
    const r = await runPromtool(promtoolTest(counterSeries(text), perMin, 0.01));
    expect(r.status, r.output).toBe(0);
  });

  it("without the zero error series, as benchline wrote before, the ratios have no data", async () => {
    const published = [['benchline_published_total{profile="orders"}', 6000]] as Array<[string, number]>;
    expect((await runPromtool(promtoolTest(published, () => 6000))).status).toBe(0);
    const failing = await runPromtool(promtoolTest(published, () => 6000, 0));
    expect(failing.status).not.toBe(0);
    expect(failing.output).toContain('expr: "benchline:publish_error_ratio:rate5m", time: 2h');
    expect(failing.output).toMatch(/got: nil/);
  });
});
