#!/usr/bin/env node
// Judges again, with the built benchline, the compares `false-alarm.mjs --mode compare --keep DIR`
// kept: each compare's candidate-N.json against DIR/baseline.json (`compare --candidate`), so a change
// to the statistics is measured on the very runs an earlier benchmark made. Prints each verdict and the
// false-alarm count with its exact 95% upper bound.
// Usage: npm run build && node test/bench/rejudge.mjs DIR [compare options, e.g. --no-machine-control]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_NODE_FLAGS } from "../../dist/src/node-flags.js";
import { clopperPearson } from "./binomial.mjs";

const [dir, ...extra] = process.argv.slice(2);
if (!dir) throw new Error("usage: rejudge.mjs DIR [compare options] (a false-alarm.mjs --keep directory)");
const cli = new URL("../../dist/src/cli.js", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "benchline-rejudge-"));
let failed = 0;
// Per metric: each compare's resolution and interval width, for the medians printed at the end.
const figures = new Map();
const compares = readdirSync(join(dir, "c")).sort();
for (const [i, d] of compares.entries()) {
  const files = readdirSync(join(dir, "c", d))
    .filter((f) => /^candidate-\d+\.json$/.test(f))
    .map((f) => join(dir, "c", d, f));
  const c = spawnSync(
    process.execPath,
    [
      ...CLI_NODE_FLAGS,
      cli,
      "compare",
      join(dir, "baseline.json"),
      ...files.flatMap((f) => ["--candidate", f]),
      "--json",
      "--no-charts",
      "--out",
      out,
      ...extra,
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (c.status !== 0 && c.status !== 1) throw new Error(`compare ${d} exited ${c.status}: ${c.stderr}`);
  const r = JSON.parse(c.stdout);
  if (!r.passed) failed++;
  for (const m of r.metrics) {
    const f = figures.get(m.metric) ?? { resolution: [], width: [] };
    if (m.resolution?.change != null) f.resolution.push(m.resolution.change);
    if (Number.isFinite(m.interval.low)) f.width.push(m.interval.high - m.interval.low);
    figures.set(m.metric, f);
  }
  const mc = r.machineControl;
  const machine = mc?.applied
    ? `, machine ${(mc.change * 100).toFixed(1)}%`
    : `, control not applied (${mc?.reason})`;
  console.log(
    `${i + 1}/${compares.length} ${d}: ${r.passed ? "pass" : `FAIL (${r.regressed.join(", ")})`}${machine}`,
  );
}
const { upper } = clopperPearson(failed, compares.length);
console.log(
  `judged again: ${failed} of ${compares.length} failed (${((failed / compares.length) * 100).toFixed(1)}%, 95% upper bound ${(upper * 100).toFixed(1)}%)`,
);
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log("\n| metric | median resolution | median interval width |\n| --- | ---: | ---: |");
for (const [m, f] of figures) {
  const pct = (x) => (x === undefined || Number.isNaN(x) ? "-" : `${(x * 100).toFixed(1)}%`);
  console.log(
    `| ${m} | ${pct(f.resolution.length ? median(f.resolution) : undefined)} | ${pct(f.width.length ? median(f.width) : undefined)} |`,
  );
}
