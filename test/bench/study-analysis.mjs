#!/usr/bin/env node
// Reads the pools resolution-study.mjs recorded and asks, per configuration and per statistic: at the
// same CI time as the shipped defaults (10 baseline runs, 5 candidates of the reference configuration),
// how wide is the A/A interval of e2e.p99's change, and how often does it exclude 0 (it should at most
// 5% of the time, at 95% confidence)? Each A/A compare draws its baseline and candidates from one
// configuration's pool: "interleaved" draws them at random from all rounds (runs of both sides mixed in
// time, as ab does), "blocked" takes the baseline from consecutive rounds and the candidates from the
// rounds after them (a baseline recorded first, candidates later, as compare does).
// Usage: npm run build && node test/bench/study-analysis.mjs [--dir DIR] [--draws 400] [--reference 6s@5000]
//        [--baseline-runs 8 --candidate-runs 5] (a fixed design instead) [--only 2s@5000]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import hdr from "hdr-histogram-js";
import { tQuantile } from "../../dist/src/baseline/probability.js";
import { bootstrapMedianChange, median, seededRandom } from "../../dist/src/baseline/stats.js";

const { values: a } = parseArgs({
  options: {
    dir: { type: "string", default: "artifacts/resolution-study" },
    draws: { type: "string", default: "400" },
    reference: { type: "string", default: "6s@5000" },
    "reference-candidates": { type: "string", default: "5" },
    // A fixed design instead of equal CI time: every configuration drawn at these counts.
    "baseline-runs": { type: "string" },
    "candidate-runs": { type: "string" },
    only: { type: "string" },
  },
});
const runs = readFileSync(join(a.dir, "runs.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.endsWith("}"))
  .map((l) => JSON.parse(l))
  .filter((r) => r.complete && r.e2eP99Us > 0);

// A log grid 1% wide from 10 us to 60 s: a run's e2e histogram as counts per cell, so that merging a
// resample of runs is adding arrays (decoding HDR per resample would take hours).
const GRID_FACTOR = 1.01;
const GRID_LOW_US = 10;
const CELLS = Math.ceil(Math.log(6e7 / GRID_LOW_US) / Math.log(GRID_FACTOR)) + 1;
function gridOf(encoded) {
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false);
  const cells = new Float64Array(CELLS);
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    const cell = Math.max(0, Math.ceil(Math.log(v.valueIteratedTo / GRID_LOW_US) / Math.log(GRID_FACTOR)));
    cells[Math.min(CELLS - 1, cell)] += v.countAtValueIteratedTo;
  }
  h.destroy();
  return cells;
}
const cellValue = (cell) => GRID_LOW_US * GRID_FACTOR ** cell;
function mergedP99(grids, picks) {
  const sum = new Float64Array(CELLS);
  let total = 0;
  for (const i of picks) {
    const g = grids[i];
    for (let c = 0; c < CELLS; c++) sum[c] += g[c];
  }
  for (let c = 0; c < CELLS; c++) total += sum[c];
  let seen = 0;
  for (let c = 0; c < CELLS; c++) {
    seen += sum[c];
    if (seen >= 0.99 * total) return cellValue(c);
  }
  return cellValue(CELLS - 1);
}

const quantile = (sorted, q) => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
};
const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
const variance = (xs) => {
  const m = mean(xs);
  return xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1);
};
const toRel = (lo, hi) => ({ low: Math.expm1(lo), high: Math.expm1(hi) });

/** The statistics compared: each gives a 95% interval of the relative change of e2e.p99 (cand/base - 1). */
const STATISTICS = {
  // What compare uses today: a bootstrap interval of the change of the median of per-run p99.
  "median of runs (bootstrap)": (b, c, _g, seed) =>
    bootstrapMedianChange(
      b.map((r) => r.e2eP99Us),
      c.map((r) => r.e2eP99Us),
      { seed, confidence: 0.95 },
    ),
  // The Hodges-Lehmann shift of log p99 and its distribution-free interval (the one the Mann-Whitney
  // test inverts): the k-th smallest and largest of the n1*n2 pairwise differences.
  "Hodges-Lehmann on log p99": (b, c) => {
    const diffs = [];
    for (const y of c) for (const x of b) diffs.push(Math.log(y.e2eP99Us) - Math.log(x.e2eP99Us));
    diffs.sort((p, q) => p - q);
    const n1 = b.length;
    const n2 = c.length;
    const k = Math.max(
      0,
      Math.floor((n1 * n2) / 2 - 1.959964 * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12) - 0.5),
    );
    return toRel(diffs[k], diffs[diffs.length - 1 - k]);
  },
  // Welch's t interval of the mean of log p99 (a geometric mean's change).
  "mean of log p99 (Welch)": (b, c) => {
    const lb = b.map((r) => Math.log(r.e2eP99Us));
    const lc = c.map((r) => Math.log(r.e2eP99Us));
    const vb = variance(lb) / lb.length;
    const vc = variance(lc) / lc.length;
    const df = (vb + vc) ** 2 / (vb ** 2 / (lb.length - 1) + vc ** 2 / (lc.length - 1));
    const d = mean(lc) - mean(lb);
    const h = tQuantile(0.975, df) * Math.sqrt(vb + vc);
    return toRel(d - h, d + h);
  },
  // 20% trimmed mean of log p99, Yuen's interval: a run or two with a stall on the machine count less.
  "20%-trimmed mean of log p99 (Yuen)": (b, c) => {
    const yuen = (xs) => {
      const s = [...xs].sort((p, q) => p - q);
      const g = Math.floor(0.2 * s.length);
      const kept = s.slice(g, s.length - g);
      const w = s.map((v) => Math.min(Math.max(v, s[g]), s[s.length - 1 - g]));
      const h = kept.length;
      return { m: mean(kept), d: ((s.length - 1) * variance(w)) / (h * (h - 1)), h };
    };
    const yb = yuen(b.map((r) => Math.log(r.e2eP99Us)));
    const yc = yuen(c.map((r) => Math.log(r.e2eP99Us)));
    const df = (yb.d + yc.d) ** 2 / (yb.d ** 2 / (yb.h - 1) + yc.d ** 2 / (yc.h - 1));
    const diff = yc.m - yb.m;
    const h = tQuantile(0.975, df) * Math.sqrt(yb.d + yc.d);
    return toRel(diff - h, diff + h);
  },
  // p99 of the merged histogram of each side, runs resampled with replacement (a run is the unit).
  "p99 of merged runs (run bootstrap)": (b, c, grids, seed) => {
    const rand = seededRandom(seed);
    const pick = (side) => side.map(() => side[Math.floor(rand() * side.length)].i);
    const changes = [];
    for (let k = 0; k < 300; k++) changes.push(mergedP99(grids, pick(c)) / mergedP99(grids, pick(b)) - 1);
    changes.sort((p, q) => p - q);
    return { low: quantile(changes, 0.025), high: quantile(changes, 0.975) };
  },
};

const byConfig = new Map();
runs.forEach((r, i) => {
  r.i = i;
  if (!byConfig.has(r.config)) byConfig.set(r.config, []);
  byConfig.get(r.config).push(r);
});
const grids = runs.map((r) => gridOf(r.hdr));
const wallOf = new Map([...byConfig].map(([k, rs]) => [k, median(rs.map((r) => r.wallS))]));
const ref = wallOf.get(a.reference);
if (!ref) throw new Error(`no runs of the reference ${a.reference} in ${a.dir}`);
const candidateBudgetS = Number(a["reference-candidates"]) * ref;
const draws = Number(a.draws);
const rand = seededRandom(23);

function draw(pool, nb, nc, blocked) {
  if (!blocked) {
    const shuffled = [...pool].sort(() => rand() - 0.5);
    return { b: shuffled.slice(0, nb), c: shuffled.slice(nb, nb + nc) };
  }
  const ordered = [...pool].sort((p, q) => p.round - q.round || p.i - q.i);
  const start = Math.floor(rand() * (ordered.length - nb - nc + 1));
  return { b: ordered.slice(start, start + nb), c: ordered.slice(start + nb, start + nb + nc) };
}

const pct = (v) => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`;
console.log(
  `pools: ${[...byConfig].map(([k, rs]) => `${k} ${rs.length} runs, ${wallOf.get(k).toFixed(1)} s each`).join("; ")}`,
);
console.log(
  `equal CI time: candidates ${candidateBudgetS.toFixed(0)} s (${a["reference-candidates"]} x ${a.reference}), baseline twice that; ${draws} A/A draws each\n`,
);
console.log("| config | runs b/c | draw | statistic | median interval | median width | excludes 0 |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const [config, pool] of byConfig) {
  if (a.only && config !== a.only) continue;
  const nc = a["candidate-runs"]
    ? Number(a["candidate-runs"])
    : Math.max(2, Math.round(candidateBudgetS / wallOf.get(config)));
  const nb = a["baseline-runs"] ? Number(a["baseline-runs"]) : 2 * nc;
  if (nb + nc > pool.length) {
    console.log(`| ${config} | ${nb}/${nc} | | pool of ${pool.length} too small | | | |`);
    continue;
  }
  for (const blocked of [false, true]) {
    const samples = Array.from({ length: draws }, () => draw(pool, nb, nc, blocked));
    for (const [name, stat] of Object.entries(STATISTICS)) {
      const iv = samples.map(({ b, c }, k) => stat(b, c, grids, k + 1));
      const lows = iv.map((v) => v.low).sort((p, q) => p - q);
      const highs = iv.map((v) => v.high).sort((p, q) => p - q);
      const widths = iv.map((v) => v.high - v.low).sort((p, q) => p - q);
      const missed = iv.filter((v) => v.low > 0 || v.high < 0).length;
      console.log(
        `| ${config} | ${nb}/${nc} | ${blocked ? "blocked" : "interleaved"} | ${name} | [${pct(quantile(lows, 0.5))}, ${pct(quantile(highs, 0.5))}] | ${(quantile(widths, 0.5) * 100).toFixed(1)} pts | ${((100 * missed) / draws).toFixed(1)}% |`,
      );
    }
  }
}
