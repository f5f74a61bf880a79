/**
 * One load on a target that is up, in the three steps the run composition takes for every load alike:
 * prepare (control connection, the permission check, streams, consumers and buckets, the executor),
 * run (its coordinator, through the run's one start gate), and finish (its result, its read-back).
 * Teardown undoes what prepare made. The fault timeline is the target's, not the load's: it arrives
 * from the composition, and each load only reports what happened to it.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import type { NatsConnection } from "@nats-io/transport-node";
import { authRefFor } from "../agents/auth-ref.js";
import type { AgentExecutor } from "../agents/executor.js";
import type { Profile } from "../contract/profile.js";
import type { RunResult } from "../contract/result.js";
import { UsageError } from "../errors.js";
import { faultOutcome, readBackFor } from "../faults/outcome.js";
import type { FaultSetup } from "../faults/setup.js";
import type { FaultRecord } from "../faults/timeline.js";
import { latencyWindows } from "../faults/windows.js";
import type { LoadedProfile } from "../profile/loader.js";
import { MonitorClient, type Varz } from "../server/monitor.js";
import { agentThreads, assemble, dataPathOf, serverFigures } from "./assemble.js";
import { measureBacklogs } from "./backlog.js";
import { connectFailure, connectOptions, connectSpec } from "./connect-options.js";
import { type CoordinateOutcome, coordinate, type StartGate } from "./coordinator.js";
import { describeEnv } from "./env.js";
import { setupJetStream, teardownJetStream } from "./jetstream-setup.js";
import { opTimeoutsMs } from "./merge-ops.js";
import { checkPermissions, requiredPermissions } from "./permissions.js";
import { buildPlan, type Plan } from "./plan.js";
import type { IntervalSnapshot } from "./protocol.js";
import type { RunEvents, RunOptions } from "./run-events.js";
import type { Target } from "./target.js";
import { isLoopbackUrl, sizeThreads } from "./threads.js";
import { connectNats, transportOf } from "./transport.js";
import { setupWorkloads, teardownWorkloads, type WorkloadState } from "./workload-setup.js";

/** Sends later than this after their intended time count as late. */
export const LATE_SEND_THRESHOLD_US = 2000;

/** One load's result, and the raw per-second snapshots that loads side by side merge together. */
export interface RunOutcome {
  result: RunResult;
  snapshots: IntervalSnapshot[];
  warmupNs: number;
  measureEndNs: number;
  /** The coordinator's outcome: its threads are what the target-wide fault figures reduce. */
  coordinated: CoordinateOutcome;
}

async function connectControl(servers: string[], profile: Profile): Promise<NatsConnection> {
  const options = await connectOptions(connectSpec(profile), "control");
  try {
    return await connectNats({ ...options, servers });
  } catch (err) {
    throw connectFailure(err as Error, servers, profile);
  }
}

/** A load, prepared on its target: connected, checked, its streams and buckets made. */
export class LoadRun {
  readonly runId = randomBytes(3).toString("hex");
  readonly plan: Plan;
  readonly warmupNs: number;
  nc: NatsConnection | undefined;
  jetstream: Awaited<ReturnType<typeof setupJetStream>> | undefined;
  private workloads: WorkloadState | undefined;
  private agents: AgentExecutor | undefined;
  private readonly sizing: ReturnType<typeof sizeThreads>;
  private serverVersion: string | undefined;
  private clusterSize: number;
  private monitor: MonitorClient | undefined;
  private before: Varz | undefined;
  private startedAt = "";

  constructor(
    readonly loaded: LoadedProfile,
    private readonly target: Target,
    private readonly options: RunOptions,
    private readonly events: RunEvents,
    /** Who the load's credentials belong to, for messages: "the user", "the user of <tenant load>". */
    private readonly who: string,
    /** A tenant's name: its load logs in as the tenant, on agents too. */
    private readonly tenant?: string,
    /** The whole run's id, when it has several loads: they share the agents under it. */
    private readonly group?: string,
  ) {
    const profile = loaded.profile;
    const transport = transportOf(target.servers);
    if (profile.transport && profile.transport !== transport)
      throw new UsageError(
        `${loaded.path}: transport: ${profile.transport}, but the servers are ${transport === "tcp" ? "nats:// or tls:// URLs" : "ws:// or wss:// URLs"}; name ${profile.transport === "websocket" ? "the servers' websocket URLs (ws://host:port)" : "their NATS URLs (nats://host:4222)"}`,
      );
    this.sizing = sizeThreads(profile, {
      cpus: cpus().length,
      serverOnHost: target.embedded || target.servers.some(isLoopbackUrl),
      parties: target.parties,
    });
    this.plan = buildPlan(profile, this.runId, this.sizing.threads);
    this.warmupNs = profile.warmupMs * 1e6;
    this.clusterSize = target.clusterSize;
  }

  get profile(): Profile {
    return this.loaded.profile;
  }

  /** Agents, the control connection, the permission check, streams and buckets: all before any load. */
  async prepare(): Promise<void> {
    const { profile, loaded, target, events } = this;
    // Agents first: no stream is made for a run that cannot have the agents it asks for.
    // A tenant's load on agents logs in as the tenant: its credentials travel as references only.
    const authRef =
      this.options.agents && this.tenant
        ? authRefFor(loaded.stored.auth, `tenant ${this.tenant}`, loaded.path)
        : undefined;
    this.agents = await this.options.agents?.executorFor(profile, target.servers, this.runId, loaded.path, {
      ...(authRef && { authRef }),
      ...(this.group && { group: this.group }),
    });
    if (this.agents) events.onPhase?.("setup", `agents ${this.agents.names().join(", ")}`);
    const nc = await connectControl(target.servers, profile);
    this.nc = nc;
    // Before any stream is made: a missing grant is named now, not met as a hang or a wrong diagnosis.
    await checkPermissions(nc, requiredPermissions(profile, this.plan), this.who);
    const maxPayload = nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    profile.publishers.forEach((p, i) => {
      if (p.sizeBytes.max > maxPayload)
        throw new UsageError(
          `${loaded.path}: publishers[${i}].size: ${p.sizeBytes.max} bytes is above the server's max_payload of ${maxPayload}; send smaller messages or raise max_payload`,
        );
    });
    if (!target.embedded)
      this.clusterSize = nc.info?.cluster ? Math.max(1, nc.info.connect_urls?.length ?? 1) : 1;
    this.serverVersion = nc.info?.version;
    if (profile.stream || this.plan.durables.length > 0 || profile.faults) {
      events.onPhase?.("setup", profile.stream ? `stream ${profile.stream.name}` : "JetStream");
      this.jetstream = await setupJetStream(nc, profile.stream, this.plan.durables, loaded.path);
      if (profile.stream) await measureBacklogs(this.jetstream.jsm, profile.stream.name, this.plan);
    }
    this.workloads = await setupWorkloads(nc, profile, loaded.path);
    this.monitor = target.monitorUrl ? new MonitorClient(target.monitorUrl) : undefined;
  }

  /** A short connection to one server with this load's credentials (the fault setup's probes). */
  async connectTo(url: string): Promise<NatsConnection> {
    return connectNats({
      ...(await connectOptions(connectSpec(this.profile), "probe")),
      servers: url,
      maxReconnectAttempts: 0,
    });
  }

  /** Runs the load from the gate's common start instant; the fault timeline, if any, is the target's. */
  async run(gate: StartGate, faults: FaultSetup | undefined, onStart: (startNs: bigint) => void) {
    const { profile, plan, warmupNs } = this;
    this.before = await this.monitor?.varz().catch(() => undefined);
    const measureEndNs =
      profile.messages === undefined ? warmupNs + profile.durationMs * 1e6 : Number.POSITIVE_INFINITY;
    this.startedAt = new Date().toISOString();
    this.events.onPhase?.(
      "run",
      `${plan.clients.length} clients on ${this.agents ? `${this.agents.names().length} agents` : `${plan.threads.length} worker threads`}`,
    );
    // A load that fails before its start must not leave the others waiting at the gate.
    return coordinate(plan, {
      servers: faults?.servers ?? this.target.servers,
      connect: { ...connectSpec(profile), pinned: faults?.pinned },
      stream: profile.stream?.name,
      connectionsPerWorker: profile.connectionsPerWorker,
      timing: {
        warmupNs,
        measureEndNs,
        lateSendThresholdUs: LATE_SEND_THRESHOLD_US,
        ...(profile.faults && { latencyWindows: latencyWindows(profile.faults, warmupNs, measureEndNs) }),
      },
      drainMs: profile.drainMs,
      ackTimeoutMs: Math.max(0, ...profile.publishers.map((p) => p.ackTimeoutMs), ...opTimeoutsMs(profile)),
      record: this.options.record ?? true,
      signal: this.options.signal,
      onTick: this.events.onTick,
      onInterval: this.events.onInterval,
      onStart,
      gate,
      executor: this.agents,
    }).catch((err: unknown) => {
      gate.withdraw();
      throw err;
    });
  }

  /** The load's result: its figures, its share of each fault, and what its stream kept. */
  async finish(outcome: CoordinateOutcome, records: FaultRecord[] | undefined): Promise<RunOutcome> {
    const { profile, loaded, target, warmupNs } = this;
    const readBack =
      records && this.jetstream && this.nc
        ? await readBackFor(profile, this.nc, this.jetstream.jsm)
        : undefined;
    const after = await this.monitor?.varz().catch(() => undefined);
    const jsz = await this.monitor?.jsz().catch(() => undefined);
    const result = assemble(loaded, this.plan, outcome, {
      startedAt: this.startedAt,
      warmupNs,
      env: {
        ...describeEnv(this.serverVersion, this.clusterSize, target.embedded),
        ...(target.serverConfig && { serverConfig: target.serverConfig }),
        ...(this.agents
          ? agentThreads(this.agents)
          : { workerThreads: this.plan.threads.length, workerThreadsReason: this.sizing.reason }),
        transport: transportOf(target.servers),
        ...dataPathOf(outcome.threads),
      },
      server: serverFigures(this.before, after, jsz),
      faults: records && faultOutcome({ records, outcome, profile, warmupNs, readBack }),
    });
    for (const name of this.agents?.idle() ?? [])
      result.warnings.push(
        `agent ${name} ran nothing: the profile has fewer instances of each client than there are agents`,
      );
    return {
      result,
      snapshots: outcome.intervals,
      warmupNs,
      measureEndNs: outcome.measureEndNs,
      coordinated: outcome,
    };
  }

  /** Undoes what prepare made; safe after a failed prepare. */
  async teardown(): Promise<void> {
    const { profile, nc } = this;
    if (this.jetstream)
      await teardownJetStream(this.jetstream, profile.stream?.deleteAfter ?? true).catch(() => {});
    if (this.workloads && nc) await teardownWorkloads(nc, profile, this.workloads).catch(() => {});
    await nc?.close().catch(() => {});
  }
}
