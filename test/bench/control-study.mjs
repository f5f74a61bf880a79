#!/usr/bin/env node
// How much of the spread of latency between compares, and within one, the machine control explains.
// Reads what `false-alarm.mjs --mode compare --keep DIR` kept (DIR/c/<compare>/candidate-N.json) and,
// for each metric, fits ln(metric) on ln(generator CPU per message): over all candidate runs, and
// pooled within each compare's runs (the slope compare uses). It prints the standard deviation of
// ln(metric) as measured and once adjusted by the within slope: across all runs, of the compares'
// means (the sittings), and within a compare (pooled).
// Usage: npm run build && node test/bench/control-study.mjs DIR [--metrics e2e.p50,e2e.p95,e2e.p99]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generatorCostUs } from "../../dist/src/baseline/machine-control.js";
import { metricValue } from "../../dist/src/baseline/metrics.js";

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: { metrics: { type: "string", default: "pubAck.p50,e2e.p50,e2e.p95,e2e.p99" } },
});
const dir = positionals[0];
if (!dir) throw new Error("usage: control-study.mjs DIR (a false-alarm.mjs --keep directory)");

const compares = readdirSync(join(dir, "c"))
  .sort()
  .map((d) =>
    readdirSync(join(dir, "c", d))
      .filter((f) => /^candidate-\d+\.json$/.test(f))
      .map((f) => JSON.parse(readFileSync(join(dir, "c", d, f), "utf8"))),
  )
  .filter((runs) => runs.length > 1);

const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
const sd = (xs) => Math.sqrt(xs.reduce((s, v) => s + (v - mean(xs)) ** 2, 0) / (xs.length - 1));
const slope = (groups) => {
  let sxy = 0;
  let sxx = 0;
  for (const g of groups) {
    const mx = mean(g.map((p) => p.x));
    const my = mean(g.map((p) => p.y));
    for (const p of g) {
      sxy += (p.x - mx) * (p.y - my);
      sxx += (p.x - mx) ** 2;
    }
  }
  return sxy / sxx;
};
const pooledWithin = (groups, f) => {
  let ss = 0;
  let df = 0;
  for (const g of groups) {
    const v = g.map(f);
    ss += v.reduce((s, q) => s + (q - mean(v)) ** 2, 0);
    df += v.length - 1;
  }
  return Math.sqrt(ss / df);
};

const runs = compares.flat().length;
console.log(`${compares.length} compares, ${runs} candidate runs, from ${dir}`);
console.log(
  "| metric | slope, all runs | slope, within compares | sd all: measured, adjusted | sd of compares' means | sd within a compare |",
);
console.log("| --- | ---: | ---: | --- | --- | --- |");
for (const metric of a.metrics.split(",")) {
  const groups = compares.map((rs) =>
    rs.map((r) => ({ x: Math.log(generatorCostUs(r)), y: Math.log(metricValue(r, metric)) })),
  );
  const all = groups.flat();
  const b = slope(groups);
  const centre = mean(all.map((p) => p.x));
  const adj = (p) => p.y - b * (p.x - centre);
  const f = (x, y) => `${x.toFixed(3)} -> ${y.toFixed(3)}`;
  console.log(
    `| ${metric} | ${slope([all]).toFixed(2)} | ${b.toFixed(2)} | ${f(sd(all.map((p) => p.y)), sd(all.map(adj)))} | ${f(
      sd(groups.map((g) => mean(g.map((p) => p.y)))),
      sd(groups.map((g) => mean(g.map(adj)))),
    )} | ${f(
      pooledWithin(groups, (p) => p.y),
      pooledWithin(groups, adj),
    )} |`,
  );
}
