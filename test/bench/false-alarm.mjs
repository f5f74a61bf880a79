#!/usr/bin/env node
// Measures how often `benchline compare` cries wolf: records one baseline of a profile, then runs N
// compares of the same profile against it on the same machine (A/A) and counts those that fail.
// Usage: npm run build && node test/bench/false-alarm.mjs [--compares 20] [--baseline-runs 10] [--repeat 5]
//        [--profile profiles/smoke.yaml] [--duration 3s]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: a } = parseArgs({
  options: {
    compares: { type: "string", default: "20" },
    "baseline-runs": { type: "string", default: "10" },
    repeat: { type: "string", default: "5" },
    profile: { type: "string", default: "profiles/smoke.yaml" },
    duration: { type: "string" },
    keep: { type: "string" },
  },
});
const cli = new URL("../../dist/src/cli.js", import.meta.url).pathname;
// With --keep the baseline and every compare's candidate results stay, so the statistics can be
// re-read later with `benchline compare BASELINE --candidate ...`.
const work = a.keep ?? mkdtempSync(join(tmpdir(), "benchline-aa-"));
const override = a.duration ? ["--duration", a.duration] : [];
const run = (args) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });

try {
  const baseline = join(work, "baseline.json");
  const t0 = Date.now();
  const rec = run([
    "baseline",
    "record",
    a.profile,
    "--repeat",
    a["baseline-runs"],
    "--out",
    baseline,
    "--artifacts",
    join(work, "a"),
    ...override,
  ]);
  if (rec.status !== 0) throw new Error(`record failed: ${rec.stderr}`);
  const compares = Number(a.compares);
  let failed = 0;
  const perMetric = new Map();
  for (let i = 0; i < compares; i++) {
    // compare reruns the baseline's stored profile, overrides included, so it is the same load.
    const c = run(["compare", baseline, "--repeat", a.repeat, "--json", "--out", join(work, "c")]);
    if (c.status !== 0 && c.status !== 1) throw new Error(`compare ${i + 1} exited ${c.status}: ${c.stderr}`);
    const report = JSON.parse(c.stdout);
    if (!report.passed) failed++;
    for (const m of report.metrics) {
      const row = perMetric.get(m.metric) ?? { regressed: 0, improved: 0 };
      if (m.verdict === "regressed") row.regressed++;
      if (m.verdict === "improved") row.improved++;
      perMetric.set(m.metric, row);
    }
    process.stderr.write(
      `compare ${i + 1}/${compares}: ${report.passed ? "pass" : `FAIL (${report.regressed.join(", ")})`}\n`,
    );
  }
  console.log(
    `A/A false alarms: ${failed} of ${compares} compares failed (${((failed / compares) * 100).toFixed(1)}%); target at most 1 in 20`,
  );
  console.log(
    `profile ${a.profile}${a.duration ? ` (duration ${a.duration})` : ""}, baseline ${a["baseline-runs"]} runs, ${a.repeat} candidate runs per compare, ${((Date.now() - t0) / 60000).toFixed(1)} min`,
  );
  console.log("| metric | regressed | improved |");
  console.log("| --- | ---: | ---: |");
  for (const [m, r] of perMetric) console.log(`| ${m} | ${r.regressed} | ${r.improved} |`);
} finally {
  if (!a.keep) rmSync(work, { recursive: true, force: true });
}
