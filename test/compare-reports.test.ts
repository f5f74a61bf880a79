import { describe, expect, it } from "vitest";
import { MARKDOWN_LIMIT_BYTES, renderCompareMarkdown } from "../src/report/compare-markdown.js";
import { renderCompareTable } from "../src/report/compare-table.js";
import { parseDocument } from "../src/report/documents.js";
import { renderDocumentHtml } from "../src/report/html/documents-html.js";
import { renderJunit } from "../src/report/junit.js";
import { fixtureCompareReport } from "./fixtures/compare-report.js";

const report = fixtureCompareReport();

describe("compare reporters", () => {
  it("terminal table", () => {
    expect(renderCompareTable(report)).toMatchInlineSnapshot(`
      "benchline compare smoke: 10 baseline runs vs 5 candidate runs, medians, alpha 0.05
      ┌────────────────────────────┬──────────┬───────────┬────────┬──────────┬──────────────────┬───────────────────────┐
      │ metric                     │ baseline │ candidate │ change │ p (Holm) │ 95% interval     │ verdict               │
      ├────────────────────────────┼──────────┼───────────┼────────┼──────────┼──────────────────┼───────────────────────┤
      │ pubAck.p99                 │ 1.05ms   │ 1.45ms    │ +38.1% │ <0.001   │ [+30.0%, +45.0%] │ REGRESSED             │
      │ throughput.publishedPerSec │ 10.0k/s  │ 10.0k/s   │ +0.2%  │ 0.500    │ [-1.0%, +1.2%]   │ no significant change │
      └────────────────────────────┴──────────┴───────────┴────────┴──────────┴──────────────────┴───────────────────────┘
      threshold counts.lost == 0: 3 BREACHED
      warning: server version differs: baseline 2.9.10, candidate 2.10.1
      verdict: FAIL (pubAck.p99 regressed, counts.lost breached)
      "
    `);
  });

  it("markdown", () => {
    expect(renderCompareMarkdown(report)).toMatchInlineSnapshot(`
      "## benchline compare: smoke ❌ fail

      **baseline (baselines/smoke.json, recorded 2026-11-20, nats-server 2.9.10 on ci) vs candidate (run 2026-11-22, nats-server 2.9.10 on ci)**

      5 candidate runs against 10 baseline runs (recorded 2026-11-20T10:00:00.000Z). Mann-Whitney U at alpha 0.05, Holm-adjusted across the metrics; interval: 95% Hodges-Lehmann interval of the change (the one the test inverts; a bootstrap of medians for metrics with values at 0).

      | metric | baseline | candidate | change | p (Holm) | 95% interval | verdict |
      | --- | ---: | ---: | ---: | ---: | --- | --- |
      | pubAck.p99 | 1.05ms | 1.45ms | +38.1% | <0.001 | [+30.0%, +45.0%] | 🔴 regressed |
      | throughput.publishedPerSec | 10.0k/s | 10.0k/s | +0.2% | 0.500 | [-1.0%, +1.2%] | ⚪ no significant change |

      | threshold | limit | candidate | verdict |
      | --- | --- | ---: | --- |
      | counts.lost | == 0 | 3 | **breached** |

      **Warnings**

      - server version differs: baseline 2.9.10, candidate 2.10.1
      "
    `);
  });

  it("keeps markdown under GitHub's 1 MiB step summary limit", () => {
    const many = {
      ...report,
      warnings: Array.from({ length: 30_000 }, (_, i) => `warning number ${i} `.repeat(3)),
    };
    const md = renderCompareMarkdown(many);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(MARKDOWN_LIMIT_BYTES);
    expect(md).toContain("truncated to fit GitHub's 1 MiB step summary");
  });

  it("JUnit: a failure per regression and per breached threshold", () => {
    expect(renderJunit(report)).toMatchInlineSnapshot(`
      "<?xml version="1.0" encoding="UTF-8"?>
      <testsuite name="benchline compare smoke" tests="3" failures="2" errors="0" skipped="0" timestamp="2026-11-22T10:00:00.000Z">
        <properties>
          <property name="baseline" value="baselines/smoke.json"/>
          <property name="baselineCreatedAt" value="2026-11-20T10:00:00.000Z"/>
          <property name="baselineRuns" value="10"/>
          <property name="candidateRuns" value="5"/>
          <property name="alpha" value="0.05"/>
          <property name="warning.1" value="server version differs: baseline 2.9.10, candidate 2.10.1"/>
        </properties>
        <testcase classname="benchline compare smoke" name="pubAck.p99" time="0">
          <failure message="regressed: 1.05ms -&gt; 1.45ms (+38.1%, p (Holm) &lt;0.001, interval [+30.0%, +45.0%], noise 5.0%)" type="regression"/>
          <system-out>warning: server version differs: baseline 2.9.10, candidate 2.10.1</system-out>
        </testcase>
        <testcase classname="benchline compare smoke" name="throughput.publishedPerSec" time="0">
          <system-out>no significant change: 10.0k/s -&gt; 10.0k/s (+0.2%, p (Holm) 0.500, interval [-1.0%, +1.2%], noise 5.0%)
      warning: server version differs: baseline 2.9.10, candidate 2.10.1</system-out>
        </testcase>
        <testcase classname="benchline compare smoke" name="threshold counts.lost == 0" time="0">
          <failure message="breached: 3" type="threshold"/>
          <system-out>warning: server version differs: baseline 2.9.10, candidate 2.10.1</system-out>
        </testcase>
      </testsuite>
      "
    `);
  });
});

describe("compare in HTML", () => {
  it("draws pass/fail and the verdict marks as inline SVG: no emoji for a browser without an emoji font", () => {
    const html = renderDocumentHtml({ kind: "compare", doc: fixtureCompareReport() });
    const body = html.slice(html.indexOf("<main>"), html.indexOf("<script>"));
    expect(body).not.toMatch(/[\u{2600}-\u{27BF}\u{1F300}-\u{1FAFF}]/u);
    expect(body).toMatch(
      /<h2[^>]*>benchline compare: smoke <svg class="icon" role="img" aria-label="(pass|fail)"/,
    );
  });

  it("names both sides by their targets in the title and under the heading, as compare.md does", () => {
    const html = renderDocumentHtml({ kind: "compare", doc: fixtureCompareReport() });
    const sides =
      "baseline (baselines/smoke.json, recorded 2026-11-20, nats-server 2.9.10 on ci) vs candidate (run 2026-11-22, nats-server 2.9.10 on ci)";
    expect(html).toContain(`<title>benchline compare: smoke, ${sides}</title>`);
    expect(html).toContain(`</h2>\n<p><strong>${sides}</strong></p>`);
  });
});

describe("compare.json read back", () => {
  it("keeps an unbounded interval unbounded and a missing one missing (JSON wrote both as null)", () => {
    const report = fixtureCompareReport();
    report.metrics[0]!.interval = { low: -1, high: Number.POSITIVE_INFINITY };
    report.metrics[1]!.interval = { low: Number.NaN, high: Number.NaN };
    const parsed = parseDocument(JSON.stringify(report), "compare.json");
    if (parsed.kind !== "compare") throw new Error(parsed.kind);
    expect(parsed.doc.metrics[0]!.interval).toEqual({ low: -1, high: Number.POSITIVE_INFINITY });
    expect(parsed.doc.metrics[1]!.interval).toEqual({ low: Number.NaN, high: Number.NaN });
    expect(renderCompareTable(parsed.doc)).toContain("[-100.0%, +inf%]");
  });
});
