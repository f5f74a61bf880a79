/**
 * The HTML report in a real browser: headless Chromium (Debian's chromium package) driven by
 * playwright-core. Skipped, with a message, where /usr/bin/chromium is missing; .ci/run installs it.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Baseline } from "../src/baseline/format.js";
import { summarizeRun } from "../src/baseline/format.js";
import type { CapacityResult } from "../src/engine/capacity.js";
import type { BenchlineDocument } from "../src/report/documents.js";
import { documentCharts, renderDocumentHtml } from "../src/report/html/documents-html.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { blockOf, chartedRun } from "./fixtures/charted-run.js";
import { fixtureCompareReport } from "./fixtures/compare-report.js";
import { tempDir } from "./helpers/tmp.js";

// biome-ignore lint/suspicious/noExplicitAny: browser-side objects; DOM types are not in the tests' lib.
type Loose = any;

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`skipping the HTML report browser test: ${CHROMIUM} not found (apt-get install chromium)`);

function documents(): Record<string, BenchlineDocument> {
  const run = chartedRun();
  const baseline: Baseline = { ...fixtureBaseline(), runs: [summarizeRun(run), summarizeRun(run)] };
  const capacity = {
    schema: "benchline/capacity@1",
    complete: true,
    profile: run.profile,
    env: run.env,
    startedAt: run.startedAt,
    settings: { startPerSec: 1000, maxPerSec: 4000, stepDurationS: 5, precision: 0.05, objectives: [] },
    steps: [1000, 2000, 4000].map((target, index) => ({
      index,
      phase: "ramp",
      targetPerSec: target,
      achievedPerSec: index < 2 ? target : 3100,
      consumedPerSec: target,
      backlogGrowth: 0,
      latencyKind: "pubAck",
      p50Us: 300 * (index + 1),
      p99Us: 1000 * 10 ** index,
      objectives: [],
      good: index < 2,
      reasons: index < 2 ? [] : ["achieved 3100 of 4000 msgs/s"],
      generatorLimited: false,
      latency: { pubAck: { ...blockOf([300]), p50Us: 300 * (index + 1), p99Us: 1000 * 10 ** index } },
    })),
    maxGoodPerSec: 2000,
    firstBadPerSec: 4000,
  } as unknown as CapacityResult;
  const compare = {
    ...fixtureCompareReport(),
    distributions: [
      { kind: "pubAck", baselineHdr: blockOf([900, 1000]).hdr, candidateHdr: blockOf([1400]).hdr },
    ],
  };
  return {
    run: { kind: "run", doc: run },
    baseline: { kind: "baseline", doc: baseline },
    capacity: { kind: "capacity", doc: capacity },
    compare: { kind: "compare", doc: compare },
  };
}

describe.skipIf(!haveChromium)("the HTML report in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const [name, doc] of Object.entries(documents())) {
    it(`renders a ${name} report offline: its charts with their data, its tables, no console errors`, async () => {
      await using dir = await tempDir();
      const file = join(dir.path, `${name}.html`);
      await writeFile(file, renderDocumentHtml(doc));
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });

      const specs = documentCharts(doc);
      expect(specs.length).toBeGreaterThan(0);
      const drawn = await page.evaluate(() => {
        const Chart = (globalThis as Loose).Chart;
        return Object.values(Chart.instances).map((c: Loose) => ({
          id: c.canvas.id,
          width: c.canvas.width,
          height: c.canvas.height,
          datasets: c.data.datasets.map((d: Loose) => ({ label: d.label, data: d.data })),
        }));
      });
      drawn.sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
      expect(drawn.map((c) => c.id)).toEqual(specs.map((_, i) => `chart-${i}`));
      for (const [i, spec] of specs.entries()) {
        expect(drawn[i]!.width).toBeGreaterThan(600);
        expect(drawn[i]!.height).toBeGreaterThan(300);
        expect(drawn[i]!.datasets).toEqual(
          spec.config.data.datasets.map((d) => ({ label: d.label, data: d.data })),
        );
      }
      // Something other than white was painted on every canvas.
      const painted = await page.evaluate(() =>
        [...(globalThis as Loose).document.querySelectorAll("canvas")].map((c: Loose) => {
          const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i]! < 200 || data[i + 2]! < 200) n++;
          return n;
        }),
      );
      for (const n of painted) expect(n).toBeGreaterThan(1000);

      const tables = await page.locator("table").count();
      expect(tables).toBeGreaterThanOrEqual(2);
      const text = await page.locator("main").innerText();
      const expected = {
        run: "pubAck",
        baseline: "throughput.publishedPerSec",
        capacity: "capacity: 2000 msgs/s sustained",
        compare: "regressed",
      }[name]!;
      expect(text).toContain(expected);
      expect(text).toContain("nats-server");
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      await page.close();
    });
  }
});
