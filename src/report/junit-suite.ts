/**
 * The shape every JUnit file of benchline keeps to, so that both schemas JUnit readers hold files to
 * take it (the Jenkins xUnit plugin's junit-10.xsd and Maven Surefire's surefire-test-report.xsd): one
 * `<testsuite>` root, `errors` and `skipped` on it, properties, then the testcases. Pure.
 */

/** Text for an XML attribute or element. */
export const xml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");

export interface SuiteParts {
  name: string;
  timestamp: string;
  tests: number;
  failures: number;
  skipped: number;
  properties: Array<[string, string]>;
  /** Each testcase already rendered, indented by two spaces. */
  cases: string[];
}

export function renderSuite(s: SuiteParts): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="${xml(s.name)}" tests="${s.tests}" failures="${s.failures}" errors="0" skipped="${s.skipped}" timestamp="${xml(s.timestamp)}">`,
    "  <properties>",
    ...s.properties.map(([name, value]) => `    <property name="${xml(name)}" value="${xml(value)}"/>`),
    "  </properties>",
    ...s.cases,
    "</testsuite>",
    "",
  ].join("\n");
}
