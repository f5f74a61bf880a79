/**
 * What runs a Plan's threads: the local piscina pool (engine/pool.ts) or agents on other hosts
 * (agents/executor.ts), behind one interface, so the coordinator's barrier, progress, drain and stop are
 * one piece of code whoever runs the threads.
 */
import type { ConnectSpec } from "./connect-options.js";
import type { Plan } from "./plan.js";
import type { ClientTask, IntervalSnapshot, ThreadResult, Timing } from "./protocol.js";

/** One worker thread's clients, under its run-wide thread number. */
export interface PlanThread {
  thread: number;
  clients: ClientTask[];
}

/** What every thread of a run is told besides its clients. */
export interface ThreadSettings {
  servers: string[];
  connect: ConnectSpec;
  stream?: string;
  connectionsPerWorker: number;
  publisherCount: number;
  timing: Timing;
  record: boolean;
}

/** What an execution reports while it runs. */
export interface ExecutionEvents {
  /** Every thread is connected and subscribed, waiting for the start instant. */
  onReady(): void;
  onInterval(snapshot: IntervalSnapshot): void;
  /** Something the run cannot go on without failed (a thread, an agent, a connection). */
  onFault(reason: string): void;
}

/** A plan's threads, started: they connect and subscribe, then wait for go. */
export interface Execution {
  /** Every client's counter row by slot (protocol.ts COUNTER), as fresh as the executor can keep it. */
  readonly counters: Float64Array;
  /** Threads that post interval snapshots (each second is complete when all of them have). */
  readonly threadCount: number;
  /** How far ahead of now the start instant must lie so that every thread hears of it in time. */
  readonly startLeadNs: bigint;
  go(startNs: bigint): void;
  /** A message-bounded run's measured phase ended here (ns after the start instant). */
  setMeasureEnd(ns: number): void;
  stopPublishers(): void;
  /** Stops every thread and returns what each returned, and the first failure when one failed. */
  finish(): Promise<{ threads: ThreadResult[]; failure?: string }>;
  /** The generator's CPU over the measured phase (percent of one core), when the executor measures it. */
  generatorCpuPercent?(): number | undefined;
  close(): Promise<void>;
}

export interface Executor {
  start(plan: Plan, settings: ThreadSettings, events: ExecutionEvents): Execution;
}
