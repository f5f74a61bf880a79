// Detection quality of `history check` (E-divisive means + the 5% noise threshold) against a fixed
// threshold (the newest run more than 10% worse than the median of the 10 before it), on synthetic
// per-run p99 series whose truth is known. Noise: normal with coefficient of variation CV (env
// HISTORY_NOISE_CV, default 0.04, a quiet dedicated runner; docs/compare-in-ci.md, History, gives the
// spread measured on the shared 2-core machine, which is far larger). Seeds are fixed.
// A detection counts as true when it lies within 5 points after a true change; the delay is the number
// of runs after the change at which the check, run after each new point, first fails.
// Usage: node test/bench/history-detection.mjs [series per scenario]
import { seededRandom } from "../../dist/src/baseline/stats.js";
import { checkHistory } from "../../dist/src/history/check.js";

const SERIES = Number(process.argv[2] ?? 20);
const CV = Number(process.env.HISTORY_NOISE_CV ?? 0.04);
const TOL = 5;

const normal = (r) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** Scenarios: n points, a level per index, the noise's sd factor, and the true (worsening) change indices. */
const scenarios = [
  { name: "step +5%, n=60", n: 60, level: (i) => (i >= 40 ? 1.05 : 1), truth: [40] },
  { name: "step +10%, n=60", n: 60, level: (i) => (i >= 40 ? 1.1 : 1), truth: [40] },
  { name: "step +20%, n=60", n: 60, level: (i) => (i >= 40 ? 1.2 : 1), truth: [40] },
  { name: "step +50%, n=60", n: 60, level: (i) => (i >= 40 ? 1.5 : 1), truth: [40] },
  { name: "step +20%, n=10", n: 10, level: (i) => (i >= 6 ? 1.2 : 1), truth: [6] },
  // Checked from point 400 on (each check of 500 points costs O(n^2) per permutation).
  { name: "step +20%, n=500", n: 500, from: 400, level: (i) => (i >= 450 ? 1.2 : 1), truth: [450] },
  {
    name: "three steps +15% each, n=120",
    n: 120,
    level: (i) => 1.15 ** ((i >= 30) + (i >= 60) + (i >= 90)),
    truth: [30, 60, 90],
  },
  // A drift has no single first run: an alarm naming any run of the ramp counts as found.
  {
    name: "slow drift +30% over 40, n=80",
    n: 80,
    level: (i) => 1 + 0.3 * Math.min(1, Math.max(0, (i - 40) / 40)),
    truth: [40],
    tol: 40,
  },
  { name: "variance x3 only, n=80", n: 80, level: () => 1, sd: (i) => (i >= 50 ? 3 : 1), truth: [] },
  { name: "lone outliers (+60%), n=80", n: 80, level: () => 1, outliers: [20, 45, 70], truth: [] },
  { name: "no change, n=100", n: 100, level: () => 1, truth: [] },
];

function makeSeries(s, seed) {
  const r = seededRandom(seed);
  return Array.from({ length: s.n }, (_, i) => {
    let v = 10_000 * s.level(i) * (1 + CV * (s.sd?.(i) ?? 1) * normal(r));
    if (s.outliers?.includes(i)) v *= 1.6;
    return v;
  });
}

const entries = (values) =>
  values.map((v, i) => ({
    schema: "benchline/history-entry@1",
    id: `e${i}`,
    time: new Date(Date.UTC(2026, 0, 1) + i * 3.6e6).toISOString(),
    recordedAt: "",
    source: "run",
    profile: "p",
    profileHash: "h",
    gating: ["pubAck.p99"],
    benchline: "0",
    fingerprint: { cpus: 2, clusterSize: 1, agents: 0, transport: "tcp", hash: "f" },
    runs: [{ startedAt: "", metrics: { "pubAck.p99": v } }],
  }));

/** E-divisive as CI runs it: after each new point, check; a failure names the first run of the regime. */
function eDivisiveAlarms(values, s) {
  const alarms = [];
  let last = -1;
  for (let k = Math.max(6, s.from ?? 0); k <= values.length; k++) {
    // Past the first alarm for a regime, CI would have fixed or accepted it: one alarm per regime start.
    const report = checkHistory(entries(values.slice(0, k)), ["pubAck.p99"], {
      noiseFor: () => 0.05,
      permutations: 99,
    });
    const m = report.metrics[0];
    if (m.verdict === "regressed") {
      const start = m.changes.at(-1).index;
      if (start !== last && !alarms.some((a) => Math.abs(a.start - start) <= 2))
        alarms.push({ start, at: k - 1 });
      last = start;
    }
  }
  return alarms;
}

/** A fixed threshold: the newest run more than 10% above the median of the 10 runs before it. */
function thresholdAlarms(values, s) {
  const alarms = [];
  for (let k = Math.max(10, s.from ?? 0); k < values.length; k++) {
    const prev = values.slice(k - 10, k).sort((a, b) => a - b);
    const med = (prev[4] + prev[5]) / 2;
    if (values[k] > med * 1.1) alarms.push({ start: k, at: k });
  }
  return alarms;
}

function score(s, detect) {
  let tp = 0,
    fp = 0,
    found = 0;
  const delays = [];
  let ms = 0;
  for (let seed = 1; seed <= SERIES; seed++) {
    const values = makeSeries(s, seed * 7919 + s.n);
    const t0 = performance.now();
    const alarms = detect(values, s);
    ms += performance.now() - t0;
    const matched = new Set();
    for (const a of alarms) {
      const truth = s.truth.find((t) => a.start >= t - 2 && a.start <= t + (s.tol ?? TOL));
      if (truth === undefined) fp++;
      else {
        tp++;
        if (!matched.has(truth)) delays.push(a.at - truth);
        matched.add(truth);
      }
    }
    found += matched.size;
  }
  const total = s.truth.length * SERIES;
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = total === 0 ? undefined : found / total;
  delays.sort((a, b) => a - b);
  return {
    precision,
    recall,
    falseAlarms: fp / SERIES,
    delay: delays.length ? delays[delays.length >> 1] : undefined,
    ms: ms / SERIES,
  };
}

const pct = (x) => (x === undefined ? "-" : `${(x * 100).toFixed(0)}%`);
console.log(
  `${SERIES} series per scenario, noise CV ${CV * 100}%; delay: median runs after the change to the first alarm`,
);
console.log(
  "| scenario | E-divisive precision | recall | false alarms/series | delay | fixed 10% precision | recall | false alarms/series | delay |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
const totals = { e: 0 };
for (const s of scenarios) {
  const e = score(s, eDivisiveAlarms);
  const t = score(s, thresholdAlarms);
  console.log(
    `| ${s.name} | ${pct(e.precision)} | ${pct(e.recall)} | ${e.falseAlarms.toFixed(2)} | ${e.delay ?? "-"} | ${pct(t.precision)} | ${pct(t.recall)} | ${t.falseAlarms.toFixed(2)} | ${t.delay ?? "-"} |`,
  );
  totals.e += e.ms;
}
console.log(
  `E-divisive: ${(totals.e / scenarios.length).toFixed(0)} ms per series on average for all its checks`,
);
