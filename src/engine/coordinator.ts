/**
 * Runs a Plan through an executor (the local piscina pool or agents): a start barrier (every consumer
 * subscribed and every publisher connected before the common start instant), progress from the counters,
 * the drain, and the stop. Never prints: progress leaves as events.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { mergeEncoded } from "../metrics/histogram.js";
import { backlogsDrained } from "./backlog.js";
import type { ConnectSpec } from "./connect-options.js";
import type { Executor } from "./executor.js";
import { PhaseCpu } from "./phase-cpu.js";
import type { Plan } from "./plan.js";
import { localExecutor } from "./pool.js";
import { COUNTER, counterIndex, type IntervalSnapshot, type ThreadResult, type Timing } from "./protocol.js";

/** A progress report, about four times a second. */
export interface Tick {
  elapsedS: number;
  phase: "connecting" | "warmup" | "measure" | "drain";
  publishedPerSec: number;
  consumedPerSec: number;
  published: number;
  consumed: number;
  errors: number;
  /** Operations (KV, Object Store, direct get) issued and not yet answered: what a drain waits for. */
  outstanding?: number;
  /** p99 of the last whole second, of the run's main latency kind (pubAck, else request, else e2e). */
  p99Us?: number;
  p99Kind?: string;
}

export interface CoordinateOptions {
  servers: string[];
  connect: ConnectSpec;
  stream?: string;
  connectionsPerWorker: number;
  timing: Timing;
  drainMs: number;
  /** Longest ack timeout of any publisher: how long publishers may take after their last send. */
  ackTimeoutMs: number;
  record: boolean;
  signal: AbortSignal;
  onTick?: (tick: Tick) => void;
  /** Each thread's figures of each second, as they arrive (histograms encoded). */
  onInterval?: (snapshot: IntervalSnapshot) => void;
  /** Loads side by side (tenants) share one start instant through this; a load alone gets its own. */
  gate?: StartGate;
  /** Told the common start instant (absolute monotonic ns) once it is fixed: the fault timeline's clock. */
  onStart?: (startNs: bigint) => void;
  /** Who runs the threads; this host's pool unless agents do. */
  executor?: Executor;
}

/**
 * The start instant of a run's loads: each arrives once its threads are ready, saying how far ahead the
 * instant must lie for its threads to hear of it (a local pool needs 50 ms, agents 100 ms and three
 * round trips), and all get the same instant, the largest lead after the last arrives. One that cannot
 * start withdraws, and the others are told so instead of waiting for ever.
 */
/** Why a load that was ready did not start: another one failed first (its own reason is the run's). */
export const ANOTHER_LOAD_FAILED = "another load of the run could not start";

export class StartGate {
  private arrived = 0;
  private withdrawn = false;
  private leadNs = 0n;
  private release: (startNs: bigint | undefined) => void = () => {};
  private readonly opened = new Promise<bigint | undefined>((resolve) => {
    this.release = resolve;
  });

  constructor(private readonly parties: number) {}

  arrive(leadNs: bigint): Promise<bigint | undefined> {
    if (leadNs > this.leadNs) this.leadNs = leadNs;
    if (!this.withdrawn && ++this.arrived === this.parties)
      this.release(process.hrtime.bigint() + this.leadNs);
    return this.opened;
  }

  withdraw(): void {
    this.withdrawn = true;
    this.release(undefined);
  }
}

export interface CoordinateOutcome {
  threads: ThreadResult[];
  intervals: IntervalSnapshot[];
  /** End of the measured phase (ns after start) as it happened. */
  measureEndNs: number;
  elapsedNs: number;
  /** Set when the run was interrupted or failed part-way. */
  abortReason?: string;
  /** This process's CPU (all threads) over the measured phase, percent of one core. */
  generatorCpuPercent?: number;
}

export async function coordinate(plan: Plan, options: CoordinateOptions): Promise<CoordinateOutcome> {
  const intervals: IntervalSnapshot[] = [];
  const gate = options.gate ?? new StartGate(1);
  let abortReason: string | undefined;
  let onReady: () => void = () => {};
  const allReady = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  let onFault: (reason: string) => void = () => {};
  const faulted = new Promise<string>((resolve) => {
    onFault = resolve;
  });
  let live: LiveP99 | undefined;
  const execution = (options.executor ?? localExecutor).start(
    plan,
    {
      servers: options.servers,
      connect: options.connect,
      stream: options.stream,
      connectionsPerWorker: options.connectionsPerWorker,
      publisherCount: plan.publisherCount,
      timing: options.timing,
      record: options.record,
    },
    {
      onReady: () => onReady(),
      onInterval: (snapshot) => {
        intervals.push(snapshot);
        live?.add(snapshot);
        options.onInterval?.(snapshot);
      },
      onFault: (reason) => onFault(reason),
    },
  );
  live = new LiveP99(execution.threadCount);
  const view = execution.counters;
  const abortReasonOf = () => String((options.signal.reason as Error)?.message ?? "aborted");
  let onAbort = () => {};
  const aborted = new Promise<string>((resolve) => {
    onAbort = () => resolve(abortReasonOf());
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });
  });
  const stopEarly = Promise.race([faulted, aborted]);

  let startNs = 0n;
  let measureEndNs = options.timing.measureEndNs;
  let generatorCpuPercent: number | undefined;
  const relNow = () => Number(process.hrtime.bigint() - startNs);
  try {
    const ready = await Promise.race([
      allReady.then(() => undefined),
      stopEarly,
      sleep(30_000, "connecting took over 30 s", { ref: false }),
    ]);
    if (ready !== undefined) {
      abortReason = ready;
      gate.withdraw();
      return await finish();
    }
    const gated = await Promise.race([
      gate.arrive(execution.startLeadNs).then((at) => ({ at, reason: ANOTHER_LOAD_FAILED })),
      stopEarly.then((reason) => ({ at: undefined, reason })),
    ]);
    if (gated.at === undefined) {
      abortReason = gated.reason;
      gate.withdraw();
      return await finish();
    }
    startNs = gated.at;
    execution.go(startNs);
    options.onStart?.(startNs);

    const publisherSlots = plan.clients
      .filter((c) => c.role === "publisher" || c.role === "op")
      .map((c) => c.slot);
    const opSlots = plan.clients.filter((c) => c.role === "op").map((c) => c.slot);
    const consumerSlot = new Map(
      plan.clients.flatMap((c) => (c.role === "consumer" ? [[c.id, c.slot]] : [])),
    );
    const read = (slot: number, field: number) => view[counterIndex(slot, field)]!;
    const groupSlots = slotsOfGroups(plan);
    let last = { t: 0, published: 0, consumed: 0 };
    const cpu = new PhaseCpu();
    let drainStartMs: number | undefined;
    const ackGraceNs = (options.ackTimeoutMs + 2000) * 1e6;
    for (;;) {
      const early = await Promise.race([stopEarly, sleep(250, undefined)]);
      if (early !== undefined) {
        abortReason = early;
        break;
      }
      const now = relNow();
      if (now >= options.timing.warmupNs) cpu.begin(now);
      const totals = { published: 0, consumed: 0, errors: 0 };
      for (const c of plan.clients) {
        totals.published += read(c.slot, COUNTER.sent);
        totals.consumed += c.role === "consumer" ? read(c.slot, COUNTER.consumed) : 0;
        totals.errors += read(c.slot, COUNTER.errors);
      }
      const publishersDone = publisherSlots.every((s) => read(s, COUNTER.done) === 1);
      let outstanding = 0;
      for (const s of opSlots)
        if (read(s, COUNTER.done) !== 1)
          outstanding += Math.max(
            0,
            read(s, COUNTER.sent) - read(s, COUNTER.acked) - read(s, COUNTER.errors),
          );
      // Consume only: the measured phase ends when every group has drained the backlog it started with.
      if (
        now > options.timing.warmupNs &&
        now < measureEndNs &&
        backlogsDrained(plan, (id) => read(consumerSlot.get(id)!, COUNTER.consumed))
      ) {
        measureEndNs = now;
        execution.setMeasureEnd(now);
      }
      // A time-bounded run measures its whole window even when publishers finish early (a burst
      // schedule's last burst, say): throughput is divided by that window.
      const windowOver = !Number.isFinite(measureEndNs) || now >= measureEndNs;
      if (publishersDone && windowOver && drainStartMs === undefined) {
        drainStartMs = Date.now();
        if (!Number.isFinite(measureEndNs)) {
          measureEndNs = now;
          execution.setMeasureEnd(now);
        }
      }
      if (now >= measureEndNs) cpu.end(now);
      const dt = (now - last.t) / 1e9;
      options.onTick?.({
        elapsedS: Math.max(0, now / 1e9),
        phase:
          now < 0
            ? "connecting"
            : now < options.timing.warmupNs
              ? "warmup"
              : drainStartMs !== undefined || now >= measureEndNs
                ? "drain"
                : "measure",
        publishedPerSec: dt > 0 ? (totals.published - last.published) / dt : 0,
        consumedPerSec: dt > 0 ? (totals.consumed - last.consumed) / dt : 0,
        ...totals,
        outstanding,
        p99Us: live.p99Us,
        p99Kind: live.kind,
      });
      last = { t: now, published: totals.published, consumed: totals.consumed };
      if (drainStartMs !== undefined) {
        if (consumersCaughtUp(groupSlots, read) || Date.now() - drainStartMs >= options.drainMs) break;
      } else if (Number.isFinite(measureEndNs) && now > measureEndNs + ackGraceNs) {
        abortReason = "publishers did not finish in time after the measured phase";
        break;
      }
    }
    generatorCpuPercent = cpu.percent();
    return await finish();
  } finally {
    // One process may run many profiles (baseline record): leave no listener behind on the shared signal.
    options.signal.removeEventListener("abort", onAbort);
    await execution.close();
  }

  async function finish(): Promise<CoordinateOutcome> {
    if (abortReason) execution.stopPublishers();
    const { threads, failure } = await execution.finish();
    if (failure && !abortReason) abortReason = failure;
    // Agents measure their own CPU: the coordinator's says nothing about the load's cost there.
    if (execution.generatorCpuPercent) generatorCpuPercent = execution.generatorCpuPercent();
    const elapsedNs = startNs === 0n ? 0 : relNow();
    return {
      threads,
      intervals,
      measureEndNs: Math.min(measureEndNs, elapsedNs),
      elapsedNs,
      abortReason,
      generatorCpuPercent,
    };
  }
}

/** Each consumer group's publisher and consumer counter slots; the plan is fixed for the run. */
function slotsOfGroups(plan: Plan): Array<{ publishers: number[]; consumers: number[] }> {
  const slotOf = (role: "publisher" | "consumer", id: number) =>
    plan.clients.find((c) => c.role === role && c.id === id)!.slot;
  return plan.groups.map((g) => ({
    publishers: g.publisherIds.map((id) => slotOf("publisher", id)),
    consumers: g.consumerIds.map((id) => slotOf("consumer", id)),
  }));
}

/** Every consumer group has received at least as many messages as its publishers got acknowledged. */
function consumersCaughtUp(
  groups: Array<{ publishers: number[]; consumers: number[] }>,
  read: (slot: number, field: number) => number,
): boolean {
  return groups.every((g) => {
    const expected = g.publishers.reduce((n, slot) => n + read(slot, COUNTER.acked), 0);
    const got = g.consumers.reduce((n, slot) => n + read(slot, COUNTER.consumed), 0);
    return got >= expected;
  });
}

/** The p99 of the latest second every thread has reported, for the progress line. */
class LiveP99 {
  p99Us: number | undefined;
  kind: string | undefined;
  private readonly pending = new Map<number, IntervalSnapshot[]>();

  constructor(private readonly threads: number) {}

  add(snapshot: IntervalSnapshot): void {
    const list = this.pending.get(snapshot.index) ?? [];
    list.push(snapshot);
    this.pending.set(snapshot.index, list);
    if (list.length < this.threads) return;
    this.pending.delete(snapshot.index);
    for (const kind of ["pubAck", "request", "e2e"] as const) {
      const encoded = list.flatMap((s) => (s.histograms[kind] ? [s.histograms[kind]!] : []));
      if (encoded.length === 0) continue;
      const h = mergeEncoded(encoded);
      this.p99Us = h.getValueAtPercentile(99);
      this.kind = kind;
      h.destroy();
      return;
    }
  }
}
