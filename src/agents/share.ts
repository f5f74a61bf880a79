/**
 * An agent's share of one run, on the agent's own worker threads: the same pool a local run uses, its
 * counters, snapshots and faults forwarded to the coordinator over the control server, its results kept
 * for the coordinator to fetch in parts. The coordinator's heartbeat keeps it alive: a share that hears
 * nothing for heartbeatTimeoutMs stops on its own, so a coordinator that died leaves no load behind.
 */
import { headers, type NatsConnection } from "@nats-io/transport-node";
import type { ConnectSpec } from "../engine/connect-options.js";
import type { Execution } from "../engine/executor.js";
import { PhaseCpu } from "../engine/phase-cpu.js";
import { startPool } from "../engine/pool.js";
import { COUNTER_FIELDS, createCounters, type IntervalSnapshot } from "../engine/protocol.js";
import {
  COUNTER_ROWS,
  cut,
  type DataKind,
  encodeRows,
  encodeValue,
  HEADER_AGENT,
  HEADER_KIND,
  type PrepareRequest,
  type StopReply,
  type UpdateRequest,
} from "./wire.js";

/** How often counter rows go to the coordinator: its progress and drain checks run four times a second. */
const ROWS_EVERY_MS = 250;

export class ShareRun {
  readonly runId: string;
  /** Resolves once every thread is connected and subscribed; rejects with why not. */
  readonly ready: Promise<void>;
  private readonly execution: Execution;
  private readonly cpu = new PhaseCpu();
  private startNs: bigint | undefined;
  private measureEndNs: number;
  private lastHeard = Date.now();
  private readonly timer: NodeJS.Timeout;
  private stopping: Promise<StopReply> | undefined;
  private parts: Uint8Array[] = [];
  private isReady = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly request: PrepareRequest,
    private readonly agentName: string,
    own: Pick<ConnectSpec, "auth" | "tls">,
    /** Called when the share gives itself up (no heartbeat): the agent is free again. */
    private readonly onAbandoned: (why: string) => void,
  ) {
    this.runId = request.runId;
    this.measureEndNs = request.timing.measureEndNs;
    let ready: () => void = () => {};
    let notReady: (err: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      notReady = reject;
    });
    // Nobody may await `ready` (the coordinator gave up first); that is no unhandled rejection.
    this.ready.catch(() => {});
    const connect: ConnectSpec = {
      ...own,
      connection: { ...request.connection, name: `${request.connection.name}-${agentName}` },
      ...(request.pinned && { pinned: true }),
    };
    this.execution = startPool(
      request.threads,
      {
        servers: request.servers,
        connect,
        stream: request.stream,
        connectionsPerWorker: request.connectionsPerWorker,
        publisherCount: request.publisherCount,
        timing: request.timing,
        record: request.record,
      },
      {
        onReady: () => {
          this.isReady = true;
          ready();
        },
        onInterval: (snapshot: IntervalSnapshot) =>
          this.send("interval", fitSnapshot(snapshot, this.maxPayload())),
        onFault: (reason) => {
          const said = this.isReady ? reason : notReadyBecause(reason);
          notReady(new Error(said));
          this.send("fault", said);
        },
      },
      { counters: createCounters(request.totalClients), clockOffsetNs: request.clockOffsetNs },
    );
    this.timer = setInterval(() => this.tick(), ROWS_EVERY_MS);
  }

  private maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Now on the coordinator's clock, ns after the start instant. */
  private relNow(): number {
    return Number(process.hrtime.bigint() - (this.startNs ?? 0n)) - this.request.clockOffsetNs;
  }

  private send(kind: DataKind, body: string | Uint8Array): void {
    const h = headers();
    h.set(HEADER_AGENT, this.agentName);
    h.set(HEADER_KIND, kind);
    try {
      this.nc.publish(this.request.dataSubject, body, { headers: h });
    } catch {
      // The control connection is gone; the heartbeat timeout ends the share.
    }
  }

  private tick(): void {
    if (Date.now() - this.lastHeard > this.request.heartbeatTimeoutMs) {
      clearInterval(this.timer);
      const why = `no word from the coordinator for ${Math.round(this.request.heartbeatTimeoutMs / 1000)} s`;
      this.stop()
        .catch(() => {})
        .finally(() => this.onAbandoned(why));
      return;
    }
    if (this.startNs === undefined || this.stopping) return;
    const now = this.relNow();
    if (now >= this.request.timing.warmupNs) this.cpu.begin(now);
    if (now >= this.measureEndNs) this.cpu.end(now);
    const { counters } = this.execution;
    this.send("rows", encodeRows(counters, this.request.slots, COUNTER_FIELDS, COUNTER_ROWS));
  }

  /** Tells the coordinator the share cannot go on (the agent is shutting down, say). */
  fault(reason: string): void {
    this.send("fault", reason);
  }

  /** Any word from the coordinator. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  go(startNs: bigint): void {
    this.heard();
    this.startNs = startNs;
    this.execution.go(startNs);
  }

  update(u: UpdateRequest): void {
    this.heard();
    if (u.measureEndNs !== undefined && u.measureEndNs !== this.measureEndNs) {
      this.measureEndNs = u.measureEndNs;
      this.execution.setMeasureEnd(u.measureEndNs);
    }
    if (u.stopPublishers) this.execution.stopPublishers();
  }

  /** Stops every thread (once, whoever asks) and keeps the results, cut to fit maxPayload. */
  stop(maxPayload = this.maxPayload()): Promise<StopReply> {
    this.stopping ??= (async () => {
      this.heard();
      const { threads, failure } = await this.execution.finish();
      // A run stopped before its measured phase ended measured CPU up to now.
      if (this.startNs !== undefined) this.cpu.end(this.relNow());
      this.parts = cut(encodeValue(threads), maxPayload);
      const cpuPercent = this.cpu.percent();
      return {
        parts: this.parts.length,
        ...(cpuPercent !== undefined && { cpuPercent }),
        ...(failure && { failure }),
      };
    })();
    return this.stopping;
  }

  part(index: number): Uint8Array | undefined {
    this.heard();
    return this.parts[index];
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (!this.stopping) await this.stop().catch(() => {});
    await this.execution.close();
  }
}

/** Why a share never got ready; a refused login says whose credentials were used. */
function notReadyBecause(reason: string): string {
  const hint = /authorization|authentication|permissions/i.test(reason)
    ? " (an agent logs in with its own credentials: its --creds, --token, --user or NATS_* environment)"
    : "";
  return `could not get ready: ${reason}${hint}`;
}

/**
 * A second's snapshot as one message. Its histograms make it a few KiB, far below a server's default
 * max_payload (1 MiB); under a tiny one the counts still travel (progress, the per-second series) and
 * the second's percentiles are left out rather than the whole second. The run's own histograms come
 * with the results, in parts.
 */
export function fitSnapshot(snapshot: IntervalSnapshot, maxPayload: number): string {
  const text = JSON.stringify(snapshot);
  return text.length <= maxPayload - 1024 ? text : JSON.stringify({ ...snapshot, histograms: {} });
}
