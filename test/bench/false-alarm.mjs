#!/usr/bin/env node
// Measures how often benchline cries wolf when nothing changed (A/A), for either way of asking:
// - compare: records one baseline of a profile, then runs N compares of the same profile against it on
//   the same machine and counts those that fail;
// - ab: runs N `benchline ab` of the profile with the same nats-server on both sides, each interleaved
//   over --rounds rounds, and counts those that fail.
// Usage: npm run build && node test/bench/false-alarm.mjs [--mode compare|ab|both] [--compares 20]
//        [--baseline-runs 10] [--repeat 5] [--rounds 6] [--profile profiles/smoke.yaml] [--duration 3s]
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: a } = parseArgs({
  options: {
    mode: { type: "string", default: "compare" },
    compares: { type: "string", default: "20" },
    "baseline-runs": { type: "string", default: "10" },
    repeat: { type: "string", default: "5" },
    rounds: { type: "string", default: "6" },
    profile: { type: "string", default: "profiles/smoke.yaml" },
    duration: { type: "string" },
    keep: { type: "string" },
  },
});
if (!["compare", "ab", "both"].includes(a.mode)) throw new Error(`--mode ${a.mode}: compare, ab or both`);
const cli = new URL("../../dist/src/cli.js", import.meta.url).pathname;
// With --keep the baselines and every run's result stay, so the statistics can be re-read later.
const work = a.keep ?? mkdtempSync(join(tmpdir(), "benchline-aa-"));
const override = a.duration ? ["--duration", a.duration] : [];
const trials = Number(a.compares);
const run = (args) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });

/** The nats-server both sides of an A/A ab start: NATS_SERVER_BIN, else the first on PATH or in /usr/sbin. */
function serverBin() {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"];
  for (const path of [process.env.NATS_SERVER_BIN, ...dirs.map((d) => join(d, "nats-server"))]) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  throw new Error("nats-server not found; set NATS_SERVER_BIN");
}

/** Runs `trials` verdicts from `next(i)` (a CLI run printing compare.json) and tallies them. */
function tally(label, next) {
  let failed = 0;
  const perMetric = new Map();
  for (let i = 0; i < trials; i++) {
    const c = next(i);
    if (c.status !== 0 && c.status !== 1)
      throw new Error(`${label} ${i + 1} exited ${c.status}: ${c.stderr}`);
    const report = JSON.parse(c.stdout);
    if (!report.passed) failed++;
    for (const m of report.metrics) {
      const row = perMetric.get(m.metric) ?? { regressed: 0, improved: 0 };
      if (m.verdict === "regressed") row.regressed++;
      if (m.verdict === "improved") row.improved++;
      perMetric.set(m.metric, row);
    }
    process.stderr.write(
      `${label} ${i + 1}/${trials}: ${report.passed ? "pass" : `FAIL (${report.regressed.join(", ")})`}\n`,
    );
  }
  return { label, failed, perMetric };
}

function measureCompare() {
  const baseline = join(work, "baseline.json");
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
  // compare reruns the baseline's stored profile, overrides included, so it is the same load.
  const t = tally("compare", () =>
    run(["compare", baseline, "--repeat", a.repeat, "--json", "--no-charts", "--out", join(work, "c")]),
  );
  return { ...t, how: `baseline ${a["baseline-runs"]} runs, ${a.repeat} candidate runs per compare` };
}

function measureAb() {
  const bin = `bin=${serverBin()}`;
  const t = tally("ab", () =>
    run([
      "ab",
      a.profile,
      "--a",
      bin,
      "--b",
      bin,
      "--rounds",
      a.rounds,
      "--json",
      "--no-charts",
      "--out",
      join(work, "ab"),
      ...override,
    ]),
  );
  return {
    ...t,
    how: `${a.rounds} rounds (${a.rounds} runs a side, interleaved) per ab, the same ${bin} on both sides`,
  };
}

try {
  const t0 = Date.now();
  const results = [];
  // Each mode's line is printed as soon as it is measured: a later mode that fails loses nothing.
  const measured = (r) => {
    results.push(r);
    console.log(
      `A/A false alarms, ${r.label}: ${r.failed} of ${trials} failed (${((r.failed / trials) * 100).toFixed(1)}%); target at most 1 in 20 (${r.how})`,
    );
  };
  if (a.mode !== "ab") measured(measureCompare());
  if (a.mode !== "compare") measured(measureAb());
  console.log(
    `profile ${a.profile}${a.duration ? ` (duration ${a.duration})` : ""}, ${((Date.now() - t0) / 60000).toFixed(1)} min`,
  );
  for (const r of results) {
    console.log(`\n${r.label}\n| metric | regressed | improved |\n| --- | ---: | ---: |`);
    for (const [m, row] of r.perMetric) console.log(`| ${m} | ${row.regressed} | ${row.improved} |`);
  }
} finally {
  if (!a.keep) rmSync(work, { recursive: true, force: true });
}
