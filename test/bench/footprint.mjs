#!/usr/bin/env node
// benchline's own footprint (issue 11): what the generator costs, how punctual it is, how close its
// latency floor is to the Go client's, that what must show still shows, and how finely a CI verdict can
// resolve. Every figure comes from benchline's own result.json, run as a user runs it (the CLI).
// Usage: npm run build && node test/bench/footprint.mjs [--gobench /tmp/gobench] [--rounds 3]
//        [--only cpu,smoke,floor,stall,proxy,verdict]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CLI_NODE_FLAGS } from "../../dist/src/node-flags.js";
import { NatsServer } from "../../dist/src/server/launcher.js";

const { values: args } = parseArgs({
  options: {
    gobench: { type: "string", default: "/tmp/gobench" },
    rounds: { type: "string", default: "3" },
    only: { type: "string", default: "wake,cpu,smoke,floor,stall,proxy,verdict" },
  },
});
const rounds = Number(args.rounds);
const only = new Set(args.only.split(","));
const cli = new URL("../../dist/src/cli.js", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "benchline-footprint-"));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rows = [];
const row = (what, figure, target, met) => {
  rows.push([what, figure, target, met === undefined ? "" : met ? "met" : "MISSED"]);
  console.error(`${what}: ${figure} (${target})`);
};

let n = 0;
/** One benchline run through the CLI; its result.json. */
function run(profileYaml, extra = []) {
  const file = join(work, `p${n++}.yaml`);
  writeFileSync(file, profileYaml);
  const r = spawnSync(
    process.execPath,
    [...CLI_NODE_FLAGS, cli, "run", file, "--json", "--no-charts", "--out", join(work, "a"), ...extra],
    {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`benchline run exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The js-e2e shape of issue 11 at a rate, against a named server. */
const jsE2e = (rate, seconds, stream) => `name: fp-${stream.toLowerCase()}
stream: {name: ${stream}, subjects: ["fp.${stream}.>"], storage: file}
publishers: [{mode: jetstream, subject: fp.${stream}.m, count: 2, rate: ${rate}, maxInFlight: 2000, size: 256, randomPayload: true}]
consumers: [{kind: pull, batch: 500, ackPolicy: explicit}]
warmup: 1s
duration: ${seconds}s
drain: 2s
`;

try {
  if (only.has("wake")) {
    // What one sleep-and-wake costs this host, with no benchline: a bare Node timer loop. A JetStream
    // message published and consumed needs about three wakes of a thread (the send, its PubAck, the
    // delivery), so this bounds from below what any event-loop generator spends per message here.
    const out = execFileSync(
      process.execPath,
      [
        "-e",
        `const t0=Date.now(),c0=process.cpuUsage();let n=0;(function tick(){n++;if(Date.now()-t0<5000)setTimeout(tick,2);else{const c=process.cpuUsage(c0);console.log(((c.user+c.system)/n).toFixed(1),n)}})()`,
      ],
      { encoding: "utf8" },
    );
    const [usPerWake, wakes] = out.trim().split(" ").map(Number);
    row(
      "a bare Node timer loop, no benchline: CPU per wake (context for the CPU targets)",
      `${fmt(usPerWake, 1)} us (${fmt(wakes)} wakes in 5 s); 1,500 wakes/s would cost ${fmt((usPerWake * 1500) / 1e4, 1)}% of a core`,
      "",
    );
  }

  if (only.has("cpu")) {
    const server = await NatsServer.start({ jsMaxFileBytes: 8 * 1024 ** 3 });
    try {
      for (const [rate, target] of [
        [500, 5],
        [5000, 25],
      ]) {
        const cpu = [];
        for (let r = 0; r < rounds; r++)
          cpu.push(
            run(jsE2e(rate, 20, `CPU${rate}R${r}`), ["--server", server.clientUrl]).generator.cpuPercent,
          );
        const m = median(cpu);
        row(
          `CPU of the benchline process at ${fmt(rate)} msgs/s, js-e2e shape, named server (% of one core, measured phase)`,
          `${fmt(m, 1)}% (runs: ${cpu.map((c) => fmt(c, 1)).join(", ")})`,
          `<= ${target}%`,
          m <= target,
        );
      }
    } finally {
      await server.stop();
    }
  }

  if (only.has("smoke")) {
    const late = [];
    const lagP99 = [];
    for (let r = 0; r < rounds; r++) {
      const result = run(readFileSync("profiles/smoke.yaml", "utf8"));
      late.push((result.counts.lateSends / result.counts.published) * 100);
      lagP99.push(result.latency.sendLag.p99Us / 1000);
    }
    row(
      "smoke, embedded server: sends more than 2 ms late",
      `${fmt(median(late), 2)}% (runs: ${late.map((x) => fmt(x, 2)).join(", ")})`,
      "<= 1%",
      median(late) <= 1,
    );
    row(
      "smoke, embedded server: sendLag p99",
      `${fmt(median(lagP99), 2)} ms (runs: ${lagP99.map((x) => fmt(x, 2)).join(", ")})`,
      "<= 1.5 ms",
      median(lagP99) <= 1.5,
    );
  }

  if (only.has("floor")) {
    const server = await NatsServer.start({ jsMaxFileBytes: 8 * 1024 ** 3 });
    try {
      const p50 = [];
      const p99 = [];
      for (let r = 0; r < rounds; r++) {
        const out = execFileSync(
          args.gobench,
          [
            "-s",
            server.clientUrl,
            "-mode",
            "jslat",
            "-pull",
            "-rate",
            "5000",
            "-n",
            "50000",
            "-size",
            "256",
            "-stream",
            "GOBENCH",
          ],
          { encoding: "utf8" },
        );
        const go = Object.fromEntries(
          out
            .trim()
            .split(" ")
            .map((kv) => kv.split("=")),
        );
        const bl = run(jsE2e(5000, 10, `FLOOR${r}`), ["--server", server.clientUrl]).latency.e2e;
        p50.push(bl.p50Us / Number(go.p50_us));
        p99.push(bl.p99Us / Number(go.p99_us));
        console.error(
          `  pair ${r + 1}: benchline e2e p50 ${bl.p50Us} us p99 ${bl.p99Us} us; gobench p50 ${go.p50_us} us p99 ${go.p99_us} us`,
        );
      }
      row(
        "latency floor, 5,000 msgs/s JetStream pull: benchline e2e p50 / gobench jslat -pull",
        `${fmt(median(p50), 2)}x (pairs: ${p50.map((x) => fmt(x, 2)).join(", ")})`,
        "<= 1.1x",
        median(p50) <= 1.1,
      );
      row(
        "latency floor, 5,000 msgs/s JetStream pull: benchline e2e p99 / gobench jslat -pull",
        `${fmt(median(p99), 2)}x (pairs: ${p99.map((x) => fmt(x, 2)).join(", ")})`,
        "<= 1.1x",
        median(p99) <= 1.1,
      );
    } finally {
      await server.stop();
    }
  }

  if (only.has("stall")) {
    // A 1 s SIGSTOP of the server in a 10 s run at 2,000 msgs/s: a tenth of the messages wait for it.
    const result = run(`name: fp-stall
stream: {name: FPSTALL, subjects: ["fp.stall.>"]}
publishers: [{mode: jetstream, subject: fp.stall.m, count: 2, rate: 2000, size: 256}]
consumers: [{kind: pull}]
warmup: 1s
duration: 10s
drain: 3s
faults: [{kind: pause, target: 1, at: 4s, for: 1s}]
`);
    const p99 = result.latency.e2e.p99Us / 1000;
    row(
      "a 1 s server stall in a 10 s run at 2,000 msgs/s: e2e p99",
      `${fmt(p99, 1)} ms`,
      ">= 700 ms",
      p99 >= 700,
    );
  }

  if (only.has("proxy")) {
    // 5 ms each way on every client link, the whole measured phase: publish there, deliver back.
    const result = run(`name: fp-proxy
stream: {name: FPPROXY, subjects: ["fp.proxy.>"]}
publishers: [{mode: jetstream, subject: fp.proxy.m, count: 2, rate: 2000, size: 256}]
consumers: [{kind: pull}]
warmup: 1s
duration: 6s
drain: 2s
faults: [{kind: network, target: clients, at: 0s, for: 6s, delay: 5ms}]
`);
    const p50 = result.latency.e2e.p50Us / 1000;
    row("a proxy adding 5 ms each way: e2e p50", `${fmt(p50, 2)} ms`, ">= 10 ms", p50 >= 10);
  }

  if (only.has("verdict")) {
    const baseline = join(work, "smoke-baseline.json");
    const rec = spawnSync(
      process.execPath,
      [
        ...CLI_NODE_FLAGS,
        cli,
        "baseline",
        "record",
        "profiles/smoke.yaml",
        "--repeat",
        "8",
        "--duration",
        "3s",
        "--out",
        baseline,
        "--artifacts",
        join(work, "b"),
      ],
      { encoding: "utf8" },
    );
    if (rec.status !== 0) throw new Error(`baseline record exited ${rec.status}: ${rec.stderr}`);
    const runs = JSON.parse(readFileSync(baseline, "utf8")).runs.map((r) => r.latency.e2e.p99Us);
    const spread = Math.max(...runs) / Math.min(...runs);
    row(
      "8 smoke runs of 3 s: e2e p99 max / min",
      `${fmt(spread, 2)}x (p99 ${runs.map((r) => fmt(r / 1000, 1)).join(", ")} ms)`,
      "<= 1.5x",
      spread <= 1.5,
    );
    const cmp = spawnSync(
      process.execPath,
      [...CLI_NODE_FLAGS, cli, "compare", baseline, "--repeat", "5", "--json", "--out", join(work, "c")],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (cmp.status !== 0 && cmp.status !== 1) throw new Error(`compare exited ${cmp.status}: ${cmp.stderr}`);
    const m = JSON.parse(cmp.stdout).metrics.find((x) => x.metric === "e2e.p99");
    const within = m.interval.low >= -0.25 && m.interval.high <= 0.25;
    row(
      "A/A compare (5 runs against those 8): e2e.p99 change bounded within",
      `[${fmt(m.interval.low * 100, 1)}%, ${fmt(m.interval.high * 100, 1)}%]`,
      "within [-25%, +25%]",
      within,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log("\nbenchline footprint (one run of test/bench/footprint.mjs; medians of", rounds, "rounds)");
console.log("| what | figure | target | |");
console.log("| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
