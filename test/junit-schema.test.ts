/**
 * junit.xml against the schemas JUnit readers validate with: the Jenkins xUnit plugin's junit-10.xsd and
 * Maven Surefire's surefire-test-report.xsd (test/fixtures/upstream/README.md names their sources),
 * checked by xmllint (Debian package libxml2-utils).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CompareReport } from "../src/baseline/report-model.js";
import { renderJunit } from "../src/report/junit.js";
import { fixtureCompareReport } from "./fixtures/compare-report.js";

const XMLLINT = "/usr/bin/xmllint";
const SCHEMAS = {
  "xunit junit-10": "junit/junit-10.xsd",
  "surefire-test-report": "junit/surefire-test-report.xsd",
};

/** xmllint's verdict on a document: "valid", or its first error line. */
function validate(xsd: string, document: string): string {
  const schema = fileURLToPath(new URL(`./fixtures/upstream/${xsd}`, import.meta.url));
  const r = spawnSync(XMLLINT, ["--noout", "--schema", schema, "-"], { input: document, encoding: "utf8" });
  if (r.status === 0) return "valid";
  return r.stderr.split("\n").find((l) => l.includes("error")) ?? `exit ${r.status}: ${r.stderr}`;
}

const failing = fixtureCompareReport();
const passingWithoutWarnings: CompareReport = {
  ...failing,
  metrics: failing.metrics.map((m) => ({ ...m, verdict: "no significant change" })),
  thresholds: failing.thresholds.map((t) => ({ ...t, actual: 0, passed: true })),
  warnings: [],
  regressed: [],
  passed: true,
};
const undecided: CompareReport = {
  ...failing,
  metrics: failing.metrics.map((m) => ({ ...m, verdict: "insufficient data" })),
  warnings: ['a <warning> with "quotes" & an ampersand'],
};

describe.skipIf(!existsSync(XMLLINT))("junit.xml validates", () => {
  for (const [reader, xsd] of Object.entries(SCHEMAS)) {
    it.each([
      ["a regression, a breach and a warning", failing],
      ["a pass without warnings", passingWithoutWarnings],
      ["skips and markup in a warning", undecided],
    ])(`against ${reader}: %s`, (_, report) => {
      expect(validate(xsd, renderJunit(report))).toBe("valid");
    });
  }

  it("the schemas refuse what benchline wrote before: no errors, skipped or time, suite-level output", () => {
    const before = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuite name="s" tests="1" failures="0">',
      '  <testcase classname="s" name="m"></testcase>',
      "  <system-out>warning: w</system-out>",
      "</testsuite>",
    ].join("\n");
    expect(validate(SCHEMAS["xunit junit-10"], before)).toMatch(
      /The attribute 'errors' is required but missing/,
    );
    expect(validate(SCHEMAS["surefire-test-report"], before)).toMatch(
      /The attribute '(time|errors|skipped)' is required but missing/,
    );
  });
});

describe("junit.xml counts", () => {
  it("counts a skip per metric with too few runs to decide", () => {
    const text = renderJunit(undecided);
    expect(text).toContain('tests="3" failures="1" errors="0" skipped="2"');
    expect(text.match(/<skipped message="insufficient data: /g)).toHaveLength(2);
  });
});
