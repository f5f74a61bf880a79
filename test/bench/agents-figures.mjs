#!/usr/bin/env node
// One load from this host alone and from 1, 2 and 3 agents (separate processes on this host, each
// taking its share of the plan), at the same total rate against one nats-server: throughput, p99 and
// the CPU each agent used over the measured phase. Usage: npm run bench:agents [-- RATE [SECONDS]]
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_NODE_FLAGS } from "../../dist/src/node-flags.js";
import { NatsServer } from "../../dist/src/server/launcher.js";

const cli = fileURLToPath(new URL("../../dist/src/cli.js", import.meta.url));
const rate = Number(process.argv[2] ?? 5000);
const seconds = Number(process.argv[3] ?? 15);
const dir = await mkdtemp(join(tmpdir(), "benchline-agents-"));
const profile = join(dir, "js-e2e-agents.yaml");
// The js-e2e shape (file storage, 256-byte random payloads, pull consumers) with instances that divide
// evenly over 1, 2 and 3 agents.
await writeFile(
  profile,
  `name: js-e2e-agents
stream: { name: BENCH_AGENTS, subjects: ["bench.agents.>"], storage: file }
publishers:
  - { mode: jetstream, subject: bench.agents.msgs, count: 6, rate: ${rate}, maxInFlight: 2000, size: 256, randomPayload: true }
consumers:
  - { kind: pull, count: 3, batch: 500, ackPolicy: explicit }
warmup: 2s
duration: ${seconds}s
drain: 5s
`,
);

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_NODE_FLAGS, cli, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err, child }));
  });
}

function startAgent(control, name) {
  const child = spawn(
    process.execPath,
    [...CLI_NODE_FLAGS, cli, "agent", "--control", control, "--name", name],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      if (err.includes("takes work on")) resolve(child);
    });
    child.on("close", (code) => reject(new Error(`agent ${name} exited ${code}: ${err}`)));
  });
}

const server = await NatsServer.start();
const agents = [];
const rows = [];
try {
  for (const name of ["ag1", "ag2", "ag3"]) agents.push(await startAgent(server.clientUrl, name));
  for (const n of [0, 1, 2, 3]) {
    const args = [
      "run",
      profile,
      "--server",
      server.clientUrl,
      // The server's own figures (CPU) come from its monitoring port.
      "--monitor",
      server.monitorUrl,
      "--json",
      "--no-charts",
      "--out",
      join(dir, "artifacts"),
    ];
    if (n > 0) args.push("--agents", String(n), "--control", server.clientUrl);
    const { code, out, err } = await run(args);
    if (code !== 0) throw new Error(`run with ${n} agents exited ${code}: ${err}`);
    const r = JSON.parse(out);
    rows.push({
      where: n === 0 ? "this host, no agent" : `${n} agent${n > 1 ? "s" : ""}`,
      published: r.throughput.publishedPerSec,
      consumed: r.throughput.consumedPerSec,
      pubAckP99Ms: r.latency.pubAck.p99Us / 1000,
      e2eP99Ms: r.latency.e2e.p99Us / 1000,
      cpu:
        n === 0
          ? `${r.generator?.cpuPercent}%`
          : r.env.agents.map((a) => `${a.name} ${a.cpuPercent}%`).join(", "),
      serverCpu: r.server?.cpuPercent,
    });
    process.stderr.write(`${rows.at(-1).where}: done\n`);
  }
} finally {
  for (const a of agents) a.kill("SIGTERM");
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
console.log(
  `JetStream publish + pull consume at ${rate} msgs/s, ${seconds} s measured, one nats-server on this host\n`,
);
console.log(
  "| load from | published msgs/s | consumed msgs/s | pubAck p99 | e2e p99 | server CPU | generator CPU (measured phase, % of one core) |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
for (const r of rows)
  console.log(
    `| ${r.where} | ${r.published} | ${r.consumed} | ${r.pubAckP99Ms.toFixed(2)} ms | ${r.e2eP99Ms.toFixed(2)} ms | ${r.serverCpu}% | ${r.cpu} |`,
  );
