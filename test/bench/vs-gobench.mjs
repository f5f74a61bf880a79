#!/usr/bin/env node
// Measures benchline's generated load side by side with gobench (the official Go client) on one
// nats-server in one run, plus what recording histograms costs and whether memory grows with run length.
// Each load runs on benchline's own data path (frames, its MSG parser, direct delivery) and on nats.js's
// (BENCHLINE_DATA_PATH=nats.js: publish(), nats.js's parser and dispatch), interleaved round by round.
// Usage: npm run build && node test/bench/vs-gobench.mjs [--gobench /tmp/gobench] [--rounds 3] [--skip-memory | --only-memory | --only-recording]
// Build gobench first: ../shared/tools/gobench/build.sh /tmp/gobench. gobench always publishes to
// gobench.js, so its runs share one stream name (GOBENCH), which it deletes before each jspub.
import { execFileSync, spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { runProfile } from "../../dist/src/engine/run.js";
import { parseProfileText } from "../../dist/src/profile/loader.js";
import { NatsServer } from "../../dist/src/server/launcher.js";

const { values: args } = parseArgs({
  options: {
    gobench: { type: "string", default: "/tmp/gobench" },
    rounds: { type: "string", default: "3" },
    "skip-memory": { type: "boolean", default: false },
    "only-memory": { type: "boolean", default: false },
    "only-recording": { type: "boolean", default: false },
  },
});
const rounds = Number(args.rounds);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const signal = new AbortController().signal;

/** Runs a profile on benchline's data path ("lean") or nats.js's; checks the result says which ran. */
async function bench(yaml, servers, record = true, path = "lean") {
  const loaded = parseProfileText(yaml, "bench.yaml", {});
  // Worker threads take a copy of the environment when the run's pool starts them.
  if (path === "nats.js") process.env.BENCHLINE_DATA_PATH = "nats.js";
  else delete process.env.BENCHLINE_DATA_PATH;
  try {
    const result = await runProfile(loaded, { servers, signal, record });
    const ran = result.env.dataPath;
    const lean = ran && ran.publish === "frames" && ran.parse === "fast" && ran.deliver === "direct";
    if ((path === "lean") !== Boolean(lean))
      throw new Error(`asked for the ${path} data path, the result says ${JSON.stringify(ran)}`);
    return result;
  } finally {
    delete process.env.BENCHLINE_DATA_PATH;
  }
}

function gobench(url, ...flags) {
  const out = execFileSync(args.gobench, ["-s", url, ...flags], { encoding: "utf8" });
  return Number(/msgs_per_sec=(\d+)/.exec(out)[1]);
}

/** gobench under GNU time: msgs/s and the process's CPU microseconds per message it counted. */
function gobenchCpu(url, messages, ...flags) {
  const r = spawnSync("/usr/bin/time", ["-f", "cpu_s=%U+%S", args.gobench, "-s", url, ...flags], {
    encoding: "utf8",
  });
  const rate = Number(/msgs_per_sec=(\d+)/.exec(r.stdout)[1]);
  const [user, sys] = /cpu_s=([\d.]+)\+([\d.]+)/.exec(r.stderr).slice(1).map(Number);
  return { rate, cpuUsPerMsg: ((user + sys) * 1e6) / messages };
}

/** benchline's own CPU per message over the measured phase, from its result. */
const cpuUsPerMsg = (result, perSec) => (result.generator.cpuPercent * 1e4) / perSec;

/** gobench's JetStream publish: n 128-byte messages, window 2000, into its stream GOBENCH. */
const gobenchJsPublish = (url, n) =>
  gobench(url, "-mode", "jspub", "-n", String(n), "-size", "128", "-window", "2000", "-stream", "GOBENCH");

const jsPublish = (stream) => `
stream: {name: ${stream}, subjects: ["bl.${stream}.>"], storage: file}
publishers: [{mode: jetstream, subject: bl.${stream}.m, rate: max, maxInFlight: 2000, size: 128}]
workers: 1
warmup: 1s
duration: 4s
drain: 1s
`;
const corePubSub = `
publishers: [{mode: core, subject: bl.core, rate: max, maxInFlight: 2000, size: 128}]
consumers: [{kind: core, subject: bl.core}]
workers: 2
warmup: 1s
duration: 4s
drain: 2s
`;

if (args["only-recording"]) {
  const server = await NatsServer.start({ jsMaxFileBytes: 8 * 1024 ** 3 });
  try {
    await recordingCost(server.clientUrl);
  } finally {
    await server.stop();
  }
} else if (!args["only-memory"]) await versusGobench();

/**
 * 4. Cost of measuring: the same loads with histogram recording on and off, interleaved in pairs. Core
 * throughput on a shared 2-core machine moves by a third between single runs, so the cost is also given
 * as the median of each pair's own ratio, and as client CPU per message (less noisy than a rate).
 */
async function recordingCost(url) {
  // A few percent is below what 3 pairs resolve here: at least 9, whatever --rounds says.
  const pairCount = Math.max(rounds, 9);
  const loads = {
    js: {
      name: "JetStream publish (pubAck, pubAckRaw)",
      yaml: (r, side) => jsPublish(`REC${r}${side}`),
      rate: "publishedPerSec",
    },
    core: { name: "core pub/sub (e2e)", yaml: () => corePubSub, rate: "consumedPerSec" },
  };
  const rows = [];
  for (const [, load] of Object.entries(loads)) {
    const on = [];
    const off = [];
    const pairs = [];
    const cpuOn = [];
    const cpuOff = [];
    for (let r = 0; r < pairCount; r++) {
      // Alternate which side runs first, so a drift within the pair does not favour one side.
      const order = r % 2 === 0 ? [true, false] : [false, true];
      const got = {};
      for (const record of order) {
        const result = await bench(load.yaml(r, record ? "A" : "B"), [url], record);
        const perSec = result.throughput[load.rate];
        got[record] = perSec;
        (record ? on : off).push(perSec);
        (record ? cpuOn : cpuOff).push(cpuUsPerMsg(result, perSec));
      }
      pairs.push(got.true / got.false);
    }
    rows.push([load.name, median(on), median(off), median(pairs), median(cpuOn), median(cpuOff)]);
  }
  console.log(`\ncost of recording histograms, ${pairCount} interleaved pairs (medians)`);
  console.log(
    "| load | msgs/s on | msgs/s off | cost (medians) | cost (paired) | CPU us/msg on | off | target |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, a, b, pair, ca, cb] of rows)
    console.log(
      `| ${name} | ${Math.round(a)} | ${Math.round(b)} | ${(((b - a) / b) * 100).toFixed(1)}% | ${((1 - pair) * 100).toFixed(1)}% | ${ca.toFixed(3)} | ${cb.toFixed(3)} | < 5% |`,
    );
}

async function versusGobench() {
  const server = await NatsServer.start({ jsMaxFileBytes: 8 * 1024 ** 3 });
  const url = server.clientUrl;
  const rows = [];
  const cpuRows = [];
  try {
    // 1. JetStream publish at max rate, the same window (2000) for both.
    const jsGo = [];
    const jsBl = [];
    const jsNats = [];
    for (let r = 0; r < rounds; r++) {
      jsGo.push(gobenchJsPublish(url, 400000));
      jsBl.push((await bench(jsPublish(`BLPUB${r}`), [url])).throughput.publishedPerSec);
      jsNats.push((await bench(jsPublish(`BLPUBN${r}`), [url], true, "nats.js")).throughput.publishedPerSec);
    }
    rows.push(["JetStream publish, max rate (msgs/s)", median(jsBl), median(jsGo), 1.3]);
    rows.push(["  the same on nats.js's data path", median(jsNats), median(jsGo), undefined]);

    // 2. JetStream pull consume of a pre-filled stream (file, R1), batch 500, no acks.
    const fetchGo = [];
    const fetchBl = [];
    const fetchNats = [];
    for (let r = 0; r < rounds; r++) {
      gobenchJsPublish(url, 1000000);
      fetchGo.push(
        gobench(
          url,
          "-mode",
          "jsfetch",
          "-n",
          "1000000",
          "-size",
          "128",
          "-batch",
          "500",
          "-stream",
          "GOBENCH",
        ),
      );
      // 2M messages outlast the 3 s window (1M did not: the consumer emptied it early and the rate read
      // as 1M / 3 s), so the window sees the consumer at full speed. Each path fills a stream of its own.
      for (const [path, into] of [
        ["lean", fetchBl],
        ["nats.js", fetchNats],
      ]) {
        const name = `BLFETCH${r}${path === "lean" ? "L" : "N"}`;
        const fill = `stream: {name: ${name}, subjects: ["${name}.>"], storage: file, deleteAfter: false}
publishers: [{mode: jetstream, subject: ${name}.m, rate: max, maxInFlight: 2000, size: 128}]
workers: 1
warmup: 0s
messages: 2000000
drain: 1s
`;
        await bench(fill, [url]);
        const drain = `stream: {name: ${name}, subjects: ["${name}.>"], purge: false, deleteAfter: true}
publishers: [{mode: core, subject: bl.idle, rate: 1, size: 128}]
consumers: [{kind: pull, deliver: all, ackPolicy: none, batch: 500}]
workers: 1
warmup: 0s
duration: 3s
drain: 0s
`;
        into.push((await bench(drain, [url], true, path)).throughput.consumedPerSec);
      }
    }
    rows.push(["JetStream pull consume (msgs/s)", median(fetchBl), median(fetchGo), 1.0]);
    rows.push(["  the same on nats.js's data path", median(fetchNats), median(fetchGo), undefined]);

    // 3. Core publish with one subscriber: received msgs/s, and client CPU per message.
    const coreGo = [];
    const coreBl = [];
    const coreNats = [];
    const cpu = { go: [], bl: [], nats: [], bare: [] };
    for (let r = 0; r < rounds; r++) {
      const go = gobenchCpu(url, 2_000_000, "-mode", "pubsub", "-n", "2000000", "-size", "128");
      coreGo.push(go.rate);
      cpu.go.push(go.cpuUsPerMsg);
      const bl = await bench(corePubSub, [url]);
      coreBl.push(bl.throughput.consumedPerSec);
      cpu.bl.push(cpuUsPerMsg(bl, bl.throughput.consumedPerSec));
      const viaNats = await bench(corePubSub, [url], true, "nats.js");
      coreNats.push(viaNats.throughput.consumedPerSec);
      cpu.nats.push(cpuUsPerMsg(viaNats, viaNats.throughput.consumedPerSec));
    }
    rows.push(["core publish + 1 subscriber (msgs/s received)", median(coreBl), median(coreGo), 0.8]);
    rows.push(["  the same on nats.js's data path", median(coreNats), median(coreGo), undefined]);
    // The same load from nats.js alone, no benchline: the ceiling any nats.js tool can reach here.
    const ceiling = [];
    for (let r = 0; r < rounds; r++) {
      const out = execFileSync(
        process.execPath,
        [new URL("./natsjs-ceiling.mjs", import.meta.url).pathname, url],
        {
          encoding: "utf8",
        },
      );
      ceiling.push(Number(/received_per_sec=(\d+)/.exec(out)[1]));
      cpu.bare.push(Number(/cpu_us_per_msg=([\d.]+)/.exec(out)[1]));
    }
    rows.push([
      "  bare nats.js, same load, no benchline (ceiling)",
      median(ceiling),
      median(coreGo),
      undefined,
    ]);
    rows.push(["  benchline / bare nats.js, same load", median(coreBl), median(ceiling), 0.9]);
    cpuRows.push(
      ["core pub/sub: benchline / gobench", median(cpu.bl), median(cpu.go), 1.5],
      [
        "core pub/sub: benchline on nats.js's data path / gobench",
        median(cpu.nats),
        median(cpu.go),
        undefined,
      ],
      ["core pub/sub: bare nats.js / gobench", median(cpu.bare), median(cpu.go), undefined],
    );

    console.log("\nbenchline vs gobench, same server, same run; medians of", rounds, "rounds");
    console.log("| load | measured | reference (gobench unless named) | ratio | target |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const [name, bl, go, target] of rows) {
      console.log(
        `| ${name} | ${Math.round(bl)} | ${Math.round(go)} | ${(bl / go).toFixed(2)}x | ${target ? `>= ${target}x` : ""} |`,
      );
    }
    console.log(
      "\nclient CPU per message (us; benchline: its process over the measured phase; gobench: the whole process under GNU time; bare nats.js: both its threads over its window)",
    );
    console.log("| load | client | gobench | ratio | target |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const [name, a, b, target] of cpuRows)
      console.log(
        `| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)}x | ${target ? `<= ${target}x` : ""} |`,
      );
    await recordingCost(url);
  } finally {
    await server.stop();
  }
}

if (!args["skip-memory"] && !args["only-recording"]) {
  // 5. Peak RSS of a 60 s and a 10 s run at the same fixed rate, each in its own process.
  const script = (duration) => `
    import { runProfile } from "${new URL("../../dist/src/engine/run.js", import.meta.url).pathname}";
    import { parseProfileText } from "${new URL("../../dist/src/profile/loader.js", import.meta.url).pathname}";
    const p = parseProfileText(\`stream: {name: MEM, subjects: ["mem.>"], storage: file}
publishers: [{mode: jetstream, subject: mem.a, count: 2, rate: 20000, size: 128}]
consumers: [{kind: pull}]
workers: 2
warmup: 1s
duration: ${duration}
drain: 2s\`, "mem.yaml", {});
    const r = await runProfile(p, { signal: new AbortController().signal });
    console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, published: r.counts.published }));
  `;
  const peak = (duration) => {
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", script(duration)], {
      encoding: "utf8",
    });
    return JSON.parse(out.stdout.trim().split("\n").at(-1));
  };
  const short = peak("10s");
  const long = peak("60s");
  console.log(
    "\nmemory: peak RSS of benchline at 20,000 msgs/s JetStream publish + pull consume (the nats-server is another process, not counted)",
  );
  console.log(`| 10 s run | ${(short.maxRssKiB / 1024).toFixed(0)} MiB | ${short.published} msgs |`);
  console.log(`| 60 s run | ${(long.maxRssKiB / 1024).toFixed(0)} MiB | ${long.published} msgs |`);
  console.log(`| ratio 60 s / 10 s | ${(long.maxRssKiB / short.maxRssKiB).toFixed(2)}x | target <= 1.2x |`);
}
