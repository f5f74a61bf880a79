import { describe, expect, it } from "vitest";
import type { CompareReport } from "../src/baseline/report-model.js";
import type { MetricResolution } from "../src/baseline/resolution.js";
import { renderCompareMarkdown } from "../src/report/compare-markdown.js";
import { renderCompareTable } from "../src/report/compare-table.js";
import { renderJunit } from "../src/report/junit.js";
import { formatResolution, stopSentence } from "../src/report/resolution-lines.js";
import { fixtureCompareReport } from "./fixtures/compare-report.js";

const resolution: MetricResolution = {
  change: 0.183,
  testChange: 0.151,
  spreadLog: 0.1,
  level: 0.025,
  power: 0.8,
  baselineRuns: 10,
  candidateRuns: 5,
  detect: { change: 0.1, runs: 17 },
};

function withResolution(stop?: NonNullable<CompareReport["resolution"]>["stop"]): CompareReport {
  const r = fixtureCompareReport();
  r.metrics = r.metrics.map((m) => ({ ...m, resolution }));
  r.resolution = { power: 0.8, detect: 0.1, ...(stop && { stop }) };
  return r;
}

const maxed = {
  reason: "max-repeat" as const,
  target: 0.1,
  reached: 0.183,
  looks: 3,
  runs: 7,
  maxRuns: 7,
  informationFraction: 1,
  spending: "Lan-DeMets O'Brien-Fleming-type, alpha/2 a side",
};

describe("resolution in the compare reports", () => {
  it("adds a resolution and a runs-to-detect column, and the stop, to the table and the Markdown", () => {
    const table = renderCompareTable(withResolution(maxed));
    expect(table).toContain("resolution");
    expect(table).toContain("runs for 10.0%");
    expect(table).toContain("18.3%");
    expect(table).toContain("17");
    expect(table).toContain(
      "NOT RESOLVED: stopped at --max-repeat 7 candidate runs with resolution 18.3%, target 10.0%",
    );
    const md = renderCompareMarkdown(withResolution(maxed));
    expect(md).toMatch(/\| verdict \| resolution \| runs for 10\.0% \|/);
    expect(md).toContain("**NOT RESOLVED");
  });

  it("puts them in JUnit properties", () => {
    const xml = renderJunit(withResolution(maxed));
    expect(xml).toContain('<property name="resolution.pubAck.p99" value="18.3%"/>');
    expect(xml).toContain('<property name="runsToDetect.pubAck.p99" value="17"/>');
    expect(xml).toContain('<property name="resolution.reached" value="0.183"/>');
  });

  it("leaves reports without a resolution as they were", () => {
    expect(renderCompareTable(fixtureCompareReport())).not.toContain("resolution");
  });

  it("words every way of stopping, and metrics without a resolution", () => {
    expect(stopSentence({ ...maxed, reason: "resolved", reached: 0.08 })).toBe(
      "resolved: every metric resolves 8.0% (target 10.0%) after 7 runs",
    );
    expect(stopSentence({ ...maxed, reason: "regressed" }, "rounds")).toMatch(
      /^stopped after 7 rounds: a regression crossed/,
    );
    expect(formatResolution({ ...resolution, change: null })).toBe("none");
    expect(formatResolution({ ...resolution, spreadLog: null, change: null })).toBe("-");
  });
});
