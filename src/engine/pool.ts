/**
 * The threads of a plan on this host's piscina pool: one task per worker thread, its progress over a
 * MessagePort, its counters in a SharedArrayBuffer. The local executor runs a whole plan this way; an
 * agent runs its share of one the same way.
 */
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { Piscina } from "piscina";
import type { Execution, ExecutionEvents, Executor, PlanThread, ThreadSettings } from "./executor.js";
import {
  createCounters,
  type FromWorker,
  HEADER,
  type ThreadResult,
  type ThreadTask,
  type ToWorker,
} from "./protocol.js";

const workerFile = fileURLToPath(new URL("../../workers/thread.js", import.meta.url));

/** Where the threads run, and on whose clock. */
export interface PoolOptions {
  /** Counter rows for every client of the run (slots are run-wide, also on an agent). */
  counters: SharedArrayBuffer;
  /** This host's clock minus the coordinator's (agents), ns. */
  clockOffsetNs?: number;
}

export function startPool(
  threads: PlanThread[],
  settings: ThreadSettings,
  events: ExecutionEvents,
  options: PoolOptions,
): Execution {
  const threadCount = threads.length;
  const pool = new Piscina({
    filename: workerFile,
    minThreads: threadCount,
    maxThreads: threadCount,
    concurrentTasksPerWorker: 1,
    idleTimeout: 1000,
    // A worker's handler stays busy for the whole run; no point in a worker waiting on Atomics between tasks.
    atomics: "disabled",
  });
  const view = new Float64Array(options.counters);
  const ports: MessagePort[] = [];
  let readyCount = 0;
  const tasks = threads.map((t) => {
    const channel = new MessageChannel();
    ports.push(channel.port1);
    channel.port1.on("message", (msg: FromWorker) => {
      if (msg.type === "ready" && ++readyCount === threadCount) events.onReady();
      else if (msg.type === "interval") events.onInterval(msg.snapshot);
      else if (msg.type === "fault") events.onFault(`thread ${msg.thread}: ${msg.message}`);
    });
    const task: ThreadTask = {
      thread: t.thread,
      servers: settings.servers,
      connect: settings.connect,
      connections: settings.connectionsPerWorker,
      stream: settings.stream,
      publisherCount: settings.publisherCount,
      clients: t.clients,
      timing: settings.timing,
      record: settings.record,
      counters: options.counters,
      port: channel.port2,
      ...(options.clockOffsetNs && { clockOffsetNs: options.clockOffsetNs }),
    };
    const run = pool.run(task, { transferList: [channel.port2] }) as Promise<ThreadResult>;
    // A thread that fails (cannot connect, say) stops the whole run.
    run.catch((err: Error) => events.onFault(err.message));
    return run;
  });
  const broadcast = (msg: ToWorker) => {
    for (const p of ports) p.postMessage(msg);
  };
  return {
    counters: view,
    threadCount,
    // A little ahead, so that every thread has the message before the instant comes.
    startLeadNs: 50_000_000n,
    go: (startNs) => broadcast({ type: "go", startNs }),
    setMeasureEnd: (ns) => {
      view[HEADER.measureEndNs] = ns;
    },
    stopPublishers: () => broadcast({ type: "stop-publishers" }),
    finish: async () => {
      broadcast({ type: "stop" });
      const settled = await Promise.allSettled(tasks);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      return {
        threads: settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : [])),
        ...(failed && { failure: (failed.reason as Error).message }),
      };
    },
    close: async () => {
      for (const p of ports) p.close();
      await pool.destroy();
    },
  };
}

/** The whole plan on this host. */
export const localExecutor: Executor = {
  start: (plan, settings, events) =>
    startPool(plan.threads, settings, events, { counters: createCounters(plan.clients.length) }),
};
