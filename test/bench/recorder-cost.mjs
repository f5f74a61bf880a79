#!/usr/bin/env node
// What recording costs a core delivery, alone, on one thread: the calls a consumer makes per message
// (clock read, success log, e2e record, the fault-window record) with recording on and off, in rounds.
// Throughput benches cannot resolve a few ns a message on a shared 2-core machine; this can.
// Usage: npm run build && node test/bench/recorder-cost.mjs [--messages 5000000] [--rounds 7]
import { parseArgs } from "node:util";
import { createCounters } from "../../dist/src/engine/protocol.js";
import { ThreadRecorder } from "../../dist/workers/recorder.js";

const { values: args } = parseArgs({
  options: { messages: { type: "string", default: "5000000" }, rounds: { type: "string", default: "7" } },
});
const n = Number(args.messages);
const rounds = Number(args.rounds);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function perMessageNs(record) {
  const timing = { warmupNs: 0, measureEndNs: 60e9, lateSendThresholdUs: 2000 };
  const rec = new ThreadRecorder(0, record, timing, createCounters(1));
  rec.startNs = Number(process.hrtime.bigint());
  // Latencies spread as a busy run's are (50 us to 5 ms), so the slots touched are not all one.
  const lat = Float64Array.from({ length: 4096 }, (_, i) => 50_000 + ((i * 7919) % 4096) * 1200);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const nowRel = rec.relNow();
    rec.deliveries.record(nowRel);
    const intendedRel = nowRel - lat[i & 4095];
    rec.record("e2e", (nowRel - intendedRel) / 1000, rec.inMeasure(intendedRel));
    rec.recordIntended("e2e", (nowRel - intendedRel) / 1000, intendedRel);
  }
  const ns = Number(process.hrtime.bigint() - t0) / n;
  rec.snapshot(0);
  return ns;
}

const on = [];
const off = [];
for (let r = 0; r < rounds; r++) {
  on.push(perMessageNs(true));
  off.push(perMessageNs(false));
}
const a = median(on);
const b = median(off);
console.log(`per delivery, ${n} messages, median of ${rounds} rounds:`);
console.log(`| recording on | ${a.toFixed(1)} ns |`);
console.log(`| recording off (clock read and success log only) | ${b.toFixed(1)} ns |`);
console.log(`| recording's own cost | ${(a - b).toFixed(1)} ns |`);
