#!/usr/bin/env node
// The ceiling of nats.js itself on core pub/sub, with no benchline at all: a bare publish loop (windows
// of 2000 messages, three flushes in flight, as benchline's closed loop) in the main thread and a
// callback subscriber in a worker thread, 128-byte messages. Prints received msgs/s over 4 s after a
// 1 s warmup. Usage: node test/bench/natsjs-ceiling.mjs nats://127.0.0.1:4222
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";

const SUBJECT = "ceiling.core";

if (isMainThread) {
  const url = process.argv[2];
  const worker = new Worker(new URL(import.meta.url), { workerData: { url } });
  const fromWorker = () => new Promise((resolve) => worker.once("message", resolve));
  await fromWorker(); // subscribed
  const nc = await connect({ servers: url });
  const payload = new Uint8Array(128);
  const flushes = [];
  let stop = false;
  const publishing = (async () => {
    while (!stop) {
      for (let i = 0; i < 2000; i++) nc.publish(SUBJECT, payload);
      flushes.push(nc.flush());
      if (flushes.length >= 3) await flushes.shift();
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  worker.postMessage("mark");
  const start = await fromWorker();
  // process.cpuUsage() counts every thread of the process: the publisher and the subscriber.
  const cpuFrom = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 4000));
  worker.postMessage("mark");
  const end = await fromWorker();
  const cpu = process.cpuUsage(cpuFrom);
  stop = true;
  await publishing;
  await nc.close();
  await worker.terminate();
  const received = end.count - start.count;
  console.log(
    `received_per_sec=${Math.round(received / ((end.at - start.at) / 1000))} cpu_us_per_msg=${((cpu.user + cpu.system) / received).toFixed(3)}`,
  );
} else {
  const nc = await connect({ servers: workerData.url });
  let count = 0;
  nc.subscribe(SUBJECT, { callback: () => count++ });
  await nc.flush();
  parentPort.postMessage("ready");
  parentPort.on("message", () => parentPort.postMessage({ count, at: performance.now() }));
}
