/**
 * JUnit XML of a drill: one testcase per expected alert (its time to fire as the testcase's time), and
 * one for false alarms before the first fault. The shape junit.ts keeps to (one `<testsuite>` root,
 * `errors` and `skipped` on it, `time` on every testcase) so the same readers take it. Pure.
 */
import type { DrillResult } from "../drill/result.js";
import { renderSuite, xml } from "./junit-suite.js";

function testcase(
  suite: string,
  name: string,
  timeS: number,
  failure: string | undefined,
  out: string,
): string {
  const body = failure
    ? `    <failure message="${xml(failure)}" type="alert-drill"/>`
    : `    <system-out>${xml(out)}</system-out>`;
  return [
    `  <testcase classname="${xml(suite)}" name="${xml(name)}" time="${timeS.toFixed(3)}">`,
    body,
    "  </testcase>",
  ].join("\n");
}

export function renderDrillJunit(d: DrillResult, profile: string, createdAt: string): string {
  const suite = `drill ${profile}`;
  const cases: string[] = [];
  let failures = 0;
  for (const a of d.alerts.filter((a) => a.expected)) {
    if (!a.passed) failures++;
    cases.push(
      testcase(
        suite,
        `alert ${a.name} fires`,
        Math.max(0, a.firingMs ?? 0) / 1000,
        a.passed ? undefined : a.verdict,
        a.verdict,
      ),
    );
  }
  const unexpected = d.alerts.filter((a) => !a.expected && !a.passed);
  if (unexpected.length > 0) failures++;
  cases.push(
    testcase(
      suite,
      "no alert fires before the first fault",
      0,
      unexpected.length > 0 ? unexpected.map((a) => `${a.name} ${a.verdict}`).join("; ") : undefined,
      "none fired on the clean warm-up",
    ),
  );
  const properties = [
    ["drill", d.id],
    ["prometheus", d.prometheusUrl],
    ...(d.alertmanagerUrl ? [["alertmanager", d.alertmanagerUrl]] : []),
    ["rules", d.rules],
  ] as Array<[string, string]>;
  return renderSuite({
    name: suite,
    timestamp: createdAt,
    tests: cases.length,
    failures,
    skipped: 0,
    properties,
    cases,
  });
}
