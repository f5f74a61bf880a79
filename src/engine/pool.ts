/**
 * The threads of a plan on this host's piscina pool: one task per worker thread, its progress over a
 * MessagePort, its counters in a SharedArrayBuffer. The local executor runs a whole plan this way; an
 * agent runs its share of one the same way.
 */
import { setTimeout as sleep } from "node:timers/promises";
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

/** How long a thread may take to return its figures after stop: drains and ack waits are over by then. */
const STOP_GRACE_MS = 20_000;

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
  // A worker that fails between tasks (a throw from a timer after its task returned) is an 'error' on
  // the pool; unheard, it would crash the whole process instead of ending the run with its reason.
  pool.on("error", (err: Error) => events.onFault(threadFailure(undefined, err)));
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
    // A thread that fails (cannot connect, say) stops the whole run; one that threw a programming error
    // says that it is benchline's.
    run.catch((err: Error) => events.onFault(threadFailure(t.thread, err)));
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
      // A thread stuck past its stop (a client that never settles) must not hold the run: its figures
      // are lost, the run says so, and close() ends the thread.
      const stuck = Symbol("stuck");
      const settled = await Promise.all(
        tasks.map((t) =>
          Promise.race([
            t.then(
              (value) => ({ status: "fulfilled" as const, value }),
              (reason: Error) => ({ status: "rejected" as const, reason }),
            ),
            sleep(STOP_GRACE_MS, stuck, { ref: false }),
          ]),
        ),
      );
      const stuckThreads = threads.filter((_, i) => settled[i] === stuck).map((t) => t.thread);
      const rejected = settled.flatMap((s) => (s !== stuck && s.status === "rejected" ? [s.reason] : []));
      const failure =
        rejected.length > 0
          ? rejected[0]!.message
          : stuckThreads.length > 0
            ? `worker thread${stuckThreads.length > 1 ? "s" : ""} ${stuckThreads.join(", ")} did not stop within ${STOP_GRACE_MS / 1000} s of the end; their figures are missing`
            : undefined;
      return {
        threads: settled.flatMap((s) => (s !== stuck && s.status === "fulfilled" ? [s.value] : [])),
        ...(failure && { failure }),
      };
    },
    close: async () => {
      for (const p of ports) p.close();
      await pool.destroy();
    },
  };
}

const BUG_ERRORS = new Set(["TypeError", "ReferenceError", "RangeError", "SyntaxError"]);

/** Why a thread failed, in a line: a programming error is named as benchline's own. */
export function threadFailure(thread: number | undefined, err: Error): string {
  if (BUG_ERRORS.has(err.name))
    return `worker thread${thread === undefined ? "" : ` ${thread}`} crashed (${err.name}: ${err.message}): a bug in benchline; rerun with --debug and report it`;
  return err.message;
}

/** The whole plan on this host. */
export const localExecutor: Executor = {
  start: (plan, settings, events) =>
    startPool(plan.threads, settings, events, { counters: createCounters(plan.clients.length) }),
};
