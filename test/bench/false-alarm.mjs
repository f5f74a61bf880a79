#!/usr/bin/env node
// Measures how often benchline cries wolf when nothing changed (A/A), for either way of asking:
// - compare: records one baseline of a profile, then runs N compares of the same profile against it on
//   the same machine and counts those that fail;
// - ab: runs N `benchline ab` of the profile with the same nats-server on both sides, each interleaved
//   over --rounds rounds, and counts those that fail.
// - detect: records a baseline against a nats-server it starts, reads the resolution the tool claims for
//   the metric (e2e.p99, or throughput.consumedPerSec with --inject cap), then runs N compares through a
//   proxy that injects a regression that size (a delay on every byte from the server, or a bandwidth
//   cap) and counts those that call the metric regressed.
// Each rate is printed with its exact (Clopper-Pearson) one-sided 95% bound.
// Usage: npm run build && node test/bench/false-alarm.mjs [--mode compare|ab|both|detect] [--trials 40]
//        [--baseline-runs 10] [--repeat 5] [--rounds 6] [--profile profiles/smoke.yaml] [--duration 3s]
//        [--inject delay|cap] [--change 20%] (detect: inject this change instead of the claimed resolution)
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CLI_NODE_FLAGS } from "../../dist/src/node-flags.js";
import { clopperPearson } from "./binomial.mjs";

const { values: a } = parseArgs({
  options: {
    mode: { type: "string", default: "compare" },
    trials: { type: "string" },
    compares: { type: "string", default: "20" },
    inject: { type: "string", default: "delay" },
    change: { type: "string" },
    "baseline-runs": { type: "string", default: "10" },
    repeat: { type: "string", default: "5" },
    rounds: { type: "string", default: "6" },
    profile: { type: "string", default: "profiles/smoke.yaml" },
    duration: { type: "string" },
    keep: { type: "string" },
  },
});
if (!["compare", "ab", "both", "detect"].includes(a.mode))
  throw new Error(`--mode ${a.mode}: compare, ab, both or detect`);
if (!["delay", "cap"].includes(a.inject)) throw new Error(`--inject ${a.inject}: delay or cap`);
const cli = new URL("../../dist/src/cli.js", import.meta.url).pathname;
// With --keep the baselines and every run's result stay, so the statistics can be re-read later.
const work = a.keep ?? mkdtempSync(join(tmpdir(), "benchline-aa-"));
const override = a.duration ? ["--duration", a.duration] : [];
const trials = Number(a.trials ?? a.compares);
const run = (args) =>
  spawnSync(process.execPath, [...CLI_NODE_FLAGS, cli, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });

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

const pct = (x) => `${(x * 100).toFixed(1)}%`;

/** Runs `trials` verdicts from `next(i)` (a CLI run printing compare.json) and tallies them. */
async function tally(label, next, caught = () => false) {
  let failed = 0;
  let hits = 0;
  const perMetric = new Map();
  for (let i = 0; i < trials; i++) {
    const c = await next(i);
    if (c.status !== 0 && c.status !== 1)
      throw new Error(`${label} ${i + 1} exited ${c.status}: ${c.stderr}`);
    const report = JSON.parse(c.stdout);
    if (!report.passed) failed++;
    if (caught(report)) hits++;
    for (const m of report.metrics) {
      const row = perMetric.get(m.metric) ?? { regressed: 0, improved: 0 };
      if (m.verdict === "regressed") row.regressed++;
      if (m.verdict === "improved") row.improved++;
      perMetric.set(m.metric, row);
    }
    // How far the machine moved from the baseline's side, by the control compare adjusts latency for.
    const mc = report.machineControl;
    const machine = mc?.applied ? `, machine ${(mc.change * 100).toFixed(1)}%` : "";
    process.stderr.write(
      `${label} ${i + 1}/${trials}: ${report.passed ? "pass" : `FAIL (${report.regressed.join(", ")})`}${machine}\n`,
    );
  }
  return { label, failed, hits, perMetric };
}

async function measureCompare() {
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
  const t = await tally("compare", () =>
    run(["compare", baseline, "--repeat", a.repeat, "--json", "--no-charts", "--out", join(work, "c")]),
  );
  return { ...t, how: `baseline ${a["baseline-runs"]} runs, ${a.repeat} candidate runs per compare` };
}

async function measureAb() {
  const bin = `bin=${serverBin()}`;
  const t = await tally("ab", () =>
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

/** A free loopback port, for the nats-server detect mode starts. */
async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A TCP proxy in front of `port`: every chunk from the server waits `delayMs`, and with `bytesPerSec`
 * leaves no faster than that (a token bucket per connection); client-to-server bytes pass at once.
 */
async function startProxy(port, { delayMs = 0, bytesPerSec = 0 }) {
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = tcpConnect({ host: "127.0.0.1", port });
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    let nextFreeMs = 0;
    // Chunks leave in the order they came, from one queue: a timer each, with different delays, may
    // fire out of order within a millisecond (the cap gives each chunk its own), and a byte stream
    // delivered out of order is a corrupt one, not a slow one.
    const queue = [];
    let timer;
    const drain = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0].at <= now) {
        const { chunk } = queue.shift();
        if (client.writable) client.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].at - now);
    };
    upstream.on("data", (chunk) => {
      const now = Date.now();
      let at = now + delayMs;
      if (bytesPerSec > 0) {
        nextFreeMs = Math.max(nextFreeMs, now) + (chunk.length / bytesPerSec) * 1000;
        at = Math.max(at, nextFreeMs);
      }
      queue.push({ chunk, at });
      if (!timer) timer = setTimeout(drain, at - now);
    });
    const close = () => {
      clearTimeout(timer);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `nats://127.0.0.1:${server.address().port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

async function measureDetect() {
  const port = await freePort();
  const store = join(work, "store");
  const server = spawn(serverBin(), ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store], {
    stdio: "ignore",
  });
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise((r) => {
        const c = tcpConnect({ host: "127.0.0.1", port }, () => {
          c.destroy();
          r(true);
        }).on("error", () => r(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const direct = `nats://127.0.0.1:${port}`;
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
      "--server",
      direct,
      ...override,
    ]);
    if (rec.status !== 0) throw new Error(`record failed: ${rec.stderr}`);
    const metric = a.inject === "delay" ? "e2e.p99" : "throughput.consumedPerSec";
    const shown = JSON.parse(run(["baseline", "show", baseline, "--json"]).stdout);
    const row = shown.metrics.find((m) => m.metric === metric);
    if (!row) throw new Error(`the baseline has no ${metric}`);
    const claimed = row.resolution?.change;
    const change = a.change ? Number(a.change.replace("%", "")) / 100 : claimed;
    if (!(change > 0)) throw new Error(`no resolution claimed for ${metric}: ${row.resolution?.why}`);
    // e2e.p99 is in microseconds: the delay that adds `change` to its median; the cap: that share less
    // than the median consumed bytes/s (the profile's message size times msgs/s, framing ignored).
    const msgBytes = shown.metrics.find((m) => m.metric === "throughput.consumedBytesPerSec");
    const inject =
      a.inject === "delay"
        ? { delayMs: (row.median * change) / 1000 }
        : { bytesPerSec: (msgBytes?.median ?? row.median * 128) * (1 - change) };
    const t = await tally(
      `detect (${a.inject})`,
      async () => {
        const proxy = await startProxy(port, inject);
        try {
          return await runAsync([
            "compare",
            baseline,
            "--repeat",
            a.repeat,
            "--json",
            "--no-charts",
            "--out",
            join(work, "c"),
            "--server",
            proxy.url,
          ]);
        } finally {
          proxy.close();
        }
      },
      (report) => report.metrics.some((m) => m.metric === metric && m.verdict === "regressed"),
    );
    return {
      ...t,
      how: `${metric}: resolution claimed ${claimed ? pct(claimed) : "none"} (5 candidates against ${a["baseline-runs"]} runs), injected ${pct(change)} (${a.inject === "delay" ? `${inject.delayMs.toFixed(2)} ms a chunk` : `${Math.round(inject.bytesPerSec)} bytes/s`}); baseline ${a["baseline-runs"]} runs, ${a.repeat} candidates`,
    };
  } finally {
    server.kill("SIGTERM");
  }
}

/** As `run`, without blocking the event loop the proxy runs on. */
function runAsync(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI_NODE_FLAGS, cli, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

try {
  const t0 = Date.now();
  const results = [];
  // Each mode's line is printed as soon as it is measured: a later mode that fails loses nothing.
  const measured = (r) => {
    results.push(r);
    if (r.label.startsWith("detect")) {
      const { lower } = clopperPearson(r.hits, trials);
      console.log(
        `detection, ${r.label}: caught ${r.hits} of ${trials} (${pct(r.hits / trials)}, 95% lower bound ${pct(lower)}); target 80% or more (${r.how})`,
      );
      return;
    }
    const { upper } = clopperPearson(r.failed, trials);
    console.log(
      `A/A false alarms, ${r.label}: ${r.failed} of ${trials} failed (${pct(r.failed / trials)}, 95% upper bound ${pct(upper)}); target at most 5% (${r.how})`,
    );
  };
  if (a.mode === "detect") measured(await measureDetect());
  else {
    if (a.mode !== "ab") measured(await measureCompare());
    if (a.mode !== "compare") measured(await measureAb());
  }
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
