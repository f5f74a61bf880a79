#!/usr/bin/env node
// What narrows a compare's interval most per second of CI (issue 23, part 3). Two steps:
// 1. record: runs the profile round after round, one run of each configuration per round in a rotated
//    order (so a busy minute on the machine falls on every configuration alike), and appends each run's
//    figures (e2e p99, throughput, the e2e histogram, the run's wall time) to DIR/runs.jsonl.
// 2. analyse (study-analysis.mjs): draws A/A compares from those pools at equal CI time and reads the
//    interval each statistic gives.
// Usage: npm run build && node test/bench/resolution-study.mjs [--rounds 24] [--dir DIR]
//        [--configs "2s@5000,2s@5000,6s@5000,12s@5000,6s@2000,6s@10000"] [--profile profiles/smoke.yaml]
//        A configuration may name its own profile after a "~" (2s@5000~profiles/x.yaml), to set two shapes
//        of the load (storage, publisher count) side by side in the same rounds.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { parseArgs } from "node:util";
import { CLI_NODE_FLAGS } from "../../dist/src/node-flags.js";

const { values: a } = parseArgs({
  options: {
    rounds: { type: "string", default: "24" },
    dir: { type: "string", default: "artifacts/resolution-study" },
    // A configuration listed twice runs twice a round: short runs need bigger pools at equal CI time.
    configs: { type: "string", default: "2s@5000,2s@5000,6s@5000,12s@5000,6s@2000,6s@10000" },
    profile: { type: "string", default: "profiles/smoke.yaml" },
  },
});
const cli = new URL("../../dist/src/cli.js", import.meta.url).pathname;
const configs = a.configs.split(",").map((c) => {
  const [shape, profile] = c.split("~");
  const [duration, rate] = shape.split("@");
  const name = profile ? `${shape}~${basename(profile, extname(profile))}` : shape;
  return { name, duration, rate, profile: profile ?? a.profile };
});
mkdirSync(a.dir, { recursive: true });
const out = join(a.dir, "runs.jsonl");
const scratch = mkdtempSync(join(tmpdir(), "benchline-study-"));
const rounds = Number(a.rounds);
const started = Date.now();
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round: no configuration always runs first, after a cold start.
  const order = configs.map((_, i) => configs[(i + round) % configs.length]);
  for (const c of order) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(
      process.execPath,
      [
        ...CLI_NODE_FLAGS,
        cli,
        "run",
        c.profile,
        "--duration",
        c.duration,
        "--rate",
        c.rate,
        "--json",
        "--no-charts",
        "--out",
        scratch,
      ],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) {
      process.stderr.write(
        `round ${round + 1} ${c.name}: exit ${r.status}: ${r.stderr.trim().split("\n").at(-1)}\n`,
      );
      continue;
    }
    const res = JSON.parse(r.stdout);
    const e2e = res.latency.e2e;
    appendFileSync(
      out,
      `${JSON.stringify({
        config: c.name,
        round,
        wallS,
        complete: res.complete,
        e2eP99Us: e2e.p99Us,
        e2eP50Us: e2e.p50Us,
        e2eCount: e2e.count,
        publishedPerSec: res.throughput.publishedPerSec,
        consumedPerSec: res.throughput.consumedPerSec,
        hdr: e2e.hdr,
      })}\n`,
    );
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch);
  }
  const minutes = (Date.now() - started) / 60000;
  process.stderr.write(`round ${round + 1}/${rounds} done, ${minutes.toFixed(1)} min\n`);
}
rmSync(scratch, { recursive: true, force: true });
process.stderr.write(`wrote ${out}\n`);
