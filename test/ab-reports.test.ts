/** The compare reporters name the sides A and B for a report of `benchline ab`. */
import { describe, expect, it } from "vitest";
import { compareCharts } from "../src/report/charts/compare-charts.js";
import { renderCompareMarkdown } from "../src/report/compare-markdown.js";
import { renderCompareTable } from "../src/report/compare-table.js";
import { renderDocumentHtml } from "../src/report/html/documents-html.js";
import { renderJunit } from "../src/report/junit.js";
import { hdrOf } from "./fixtures/charted-run.js";
import { fixtureCompareReport } from "./fixtures/compare-report.js";

const report = {
  ...fixtureCompareReport(),
  ab: { a: "bin=/opt/2.9/nats-server", b: "bin=/opt/2.10/nats-server", rounds: 5, order: "ABBAABBAAB" },
};

describe("ab reports", () => {
  it("table and Markdown: A and B, what each side was, the order of the runs", () => {
    const table = renderCompareTable(report).split("\n");
    expect(table[0]).toBe(
      "benchline ab smoke: 5 runs of B (bin=/opt/2.10/nats-server) against 10 of A (bin=/opt/2.9/nats-server), interleaved ABBAABBAAB; medians, alpha 0.05",
    );
    expect(table[2]).toMatch(/^│ metric\s+│ A\s+│ B\s+│ change/);
    const md = renderCompareMarkdown(report).split("\n");
    expect(md[0]).toBe("## benchline ab: smoke ❌ fail");
    expect(md[2]).toBe("**A (bin=/opt/2.9/nats-server) vs B (bin=/opt/2.10/nats-server)**");
    expect(md[4]).toMatch(
      /^5 runs of B \(bin=\/opt\/2\.10\/nats-server\) against 10 of A .*, interleaved ABBAABBAAB\. Mann-Whitney/,
    );
    expect(md[6]).toBe("| metric | A | B | change | p (Holm) | 95% interval | verdict |");
  });

  it("the HTML report's title names A's and B's targets", () => {
    expect(renderDocumentHtml({ kind: "compare", doc: report })).toContain(
      "<title>benchline ab: smoke, A (bin=/opt/2.9/nats-server) vs B (bin=/opt/2.10/nats-server)</title>",
    );
  });

  it("JUnit suite and chart legends", () => {
    expect(renderJunit(report)).toContain('<testsuite name="benchline ab smoke"');
    const charts = compareCharts({
      ...report,
      distributions: [{ kind: "pubAck", baselineHdr: hdrOf([100, 200]), candidateHdr: hdrOf([150, 250]) }],
    });
    expect(charts[0]!.title).toBe("pubAck latency by percentile: A vs B (smoke)");
    expect(JSON.stringify(charts[0])).toContain('"label":"A, 10 runs (2 samples)"');
  });
});
