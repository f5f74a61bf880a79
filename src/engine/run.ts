/**
 * runProfile: profile -> server (embedded when none is named) -> stream setup -> coordinator -> merge ->
 * RunResult. Emits events; never prints. A run that stops early still returns its result, marked
 * `complete: false` with the reason, so the caller can write it before reporting the failure.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AgentControl } from "../agents/control.js";
import type { AgentExecutor } from "../agents/executor.js";
import { evaluateThresholds } from "../baseline/thresholds.js";
import { mergeDataPaths } from "../contract/data-path.js";
import { UsageError } from "../errors.js";
import { type FaultOutcome, faultOutcome, readBackFor } from "../faults/outcome.js";
import { checkFaultsFit, type FaultSetup, prepareFaults } from "../faults/setup.js";
import { latencyWindows } from "../faults/windows.js";
import { LATENCY_BUCKETS_S } from "../metrics/histogram.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { Profile } from "../profile/profile.js";
import { MonitorClient, type Varz } from "../server/monitor.js";
import type { EmbeddedNode } from "../server/node.js";
import { serverConfigRecord } from "../server/user-config.js";
import { measureBacklogs } from "./backlog.js";
import { connectFailure, connectOptions, connectSpec } from "./connect-options.js";
import { type CoordinateOutcome, coordinate, type StartGate, type Tick } from "./coordinator.js";
import { type EmbeddedSpec, embeddedSize, startEmbedded } from "./embedded.js";
import { describeEnv } from "./env.js";
import { setupJetStream, teardownJetStream } from "./jetstream-setup.js";
import { mergeCounts, mergeIntervals, mergeLatency, mergeThroughput } from "./merge.js";
import { e2eUnmeasured, mergeDrain, mergeEndpoints, mergeOps, opTimeoutsMs } from "./merge-ops.js";
import { checkPermissions, requiredPermissions } from "./permissions.js";
import { buildPlan } from "./plan.js";
import type { IntervalSnapshot } from "./protocol.js";
import { RUN_SCHEMA, type RunResult, type ServerFigures } from "./result.js";
import { runTenants } from "./tenants.js";
import { isLoopbackUrl, sizeThreads } from "./threads.js";
import { connectNats, transportOf } from "./transport.js";
import { collectWarnings } from "./warnings.js";
import { setupWorkloads, teardownWorkloads, type WorkloadState } from "./workload-setup.js";

export interface RunOptions {
  /** Overrides the profile's servers. */
  servers?: string[];
  /** Monitoring URL of an external server, for the server figures. */
  monitorUrl?: string;
  signal: AbortSignal;
  /** Record histograms; off only to measure what recording costs. */
  record?: boolean;
  /** How to start the embedded server when none is named: from the user's config, another binary. */
  embedded?: EmbeddedSpec;
  /** Run the load on agents found through this control connection instead of on this host. */
  agents?: AgentControl;
}

export type { EmbeddedSpec } from "./embedded.js";

export interface RunEvents {
  onPhase?(phase: "server" | "setup" | "run" | "teardown", detail: string): void;
  onTick?(tick: Tick): void;
  onInterval?(snapshot: IntervalSnapshot): void;
  /** A fault of the profile's timeline started or ended (detail: what it acts on, or why it failed). */
  onFault?(name: string, state: "start" | "end", detail: string): void;
}

/** Every listener gets every event (the progress line and the /metrics endpoint, say). */
export function combineEvents(...all: Array<RunEvents | undefined>): RunEvents {
  const present = all.filter((e): e is RunEvents => e !== undefined);
  return {
    onPhase: (phase, detail) => {
      for (const e of present) e.onPhase?.(phase, detail);
    },
    onTick: (tick) => {
      for (const e of present) e.onTick?.(tick);
    },
    onInterval: (snapshot) => {
      for (const e of present) e.onInterval?.(snapshot);
    },
    onFault: (name, state, detail) => {
      for (const e of present) e.onFault?.(name, state, detail);
    },
  };
}

/** Sends later than this after their intended time count as late. */
export const LATE_SEND_THRESHOLD_US = 2000;

async function connectControl(servers: string[], profile: Profile): Promise<NatsConnection> {
  const options = await connectOptions(connectSpec(profile), "control");
  try {
    return await connectNats({ ...options, servers });
  } catch (err) {
    throw connectFailure(err as Error, servers, profile);
  }
}

async function sampleVarz(monitor: MonitorClient | undefined): Promise<Varz | undefined> {
  return monitor?.varz().catch(() => undefined);
}

/** Where a run's load goes: the servers, their monitoring URL, and whether benchline started them. */
export interface Target {
  servers: string[];
  monitorUrl?: string;
  embedded: boolean;
  clusterSize: number;
  /** Loads that run side by side on this target (tenants); they share the host's threads. */
  parties?: number;
  /** benchline's own nodes, when it started them: what process faults act on. */
  nodes?: EmbeddedNode[];
  systemAuth?: { user: string; password: string };
}

/** One run's result, and the raw per-second snapshots that runs side by side merge together. */
export interface RunOutcome {
  result: RunResult;
  snapshots: IntervalSnapshot[];
  warmupNs: number;
  measureEndNs: number;
}

export async function runProfile(
  loaded: LoadedProfile,
  options: RunOptions,
  events: RunEvents = {},
): Promise<RunResult> {
  if (loaded.profile.tenants) {
    if (options.agents)
      throw new UsageError(
        `${loaded.path}: tenants run side by side from one process; run this profile without --agents`,
      );
    return runTenants(loaded, options, events);
  }
  const profile = loaded.profile;
  const servers = options.servers?.length ? options.servers : profile.servers;
  if (servers.length > 0) {
    checkFaultsFit(profile, loaded.path, { embedded: false, nodes: servers.length });
    const target = { servers, monitorUrl: options.monitorUrl, embedded: false, clusterSize: 1 };
    return (await runOnServers(loaded, target, options, events)).result;
  }
  checkFaultsFit(profile, loaded.path, { embedded: true, nodes: embeddedSize(profile) });
  events.onPhase?.(
    "server",
    embeddedSize(profile) > 1 ? "starting a 3-node nats-server cluster" : "starting nats-server",
  );
  const started = await startEmbedded(profile, options.embedded);
  try {
    const target = {
      servers: started.urls,
      monitorUrl: started.monitorUrl,
      embedded: true,
      clusterSize: started.size,
      nodes: started.nodes,
      systemAuth: started.systemAuth,
    };
    // The config's own credentials, when none were given; the stored profile never holds them.
    const runnable =
      started.auth && !profile.auth ? { ...loaded, profile: { ...profile, auth: started.auth } } : loaded;
    return (await runOnServers(runnable, target, options, events)).result;
  } finally {
    await started.stop();
  }
}

/** Sets up, runs and tears down one profile's load on servers that are already up. */
export async function runOnServers(
  loaded: LoadedProfile,
  target: Target,
  options: RunOptions,
  events: RunEvents,
  gate?: StartGate,
): Promise<RunOutcome> {
  const profile = loaded.profile;
  const runId = randomBytes(3).toString("hex");
  const { servers, embedded } = target;
  const transport = transportOf(servers);
  if (profile.transport && profile.transport !== transport)
    throw new UsageError(
      `${loaded.path}: transport: ${profile.transport}, but the servers are ${transport === "tcp" ? "nats:// or tls:// URLs" : "ws:// or wss:// URLs"}; name ${profile.transport === "websocket" ? "the servers' websocket URLs (ws://host:port)" : "their NATS URLs (nats://host:4222)"}`,
    );
  const sizing = sizeThreads(profile, {
    cpus: cpus().length,
    serverOnHost: embedded || servers.some(isLoopbackUrl),
    parties: target.parties,
  });
  const plan = buildPlan(profile, runId, sizing.threads);
  let clusterSize = target.clusterSize;
  let nc: NatsConnection | undefined;
  let setup: Awaited<ReturnType<typeof setupJetStream>> | undefined;
  let faults: FaultSetup | undefined;
  let workloads: WorkloadState | undefined;
  try {
    // Agents first: no stream is made for a run that cannot have the agents it asks for.
    const agents = await options.agents?.executorFor(profile, servers, runId, loaded.path);
    if (agents) events.onPhase?.("setup", `agents ${agents.names().join(", ")}`);
    nc = await connectControl(servers, profile);
    // Before any stream is made: a missing grant is named now, not met as a hang or a wrong diagnosis.
    await checkPermissions(
      nc,
      requiredPermissions(profile, plan),
      target.parties ? `the user of ${profile.name}` : "the user",
    );
    const maxPayload = nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    profile.publishers.forEach((p, i) => {
      if (p.sizeBytes.max > maxPayload) {
        throw new UsageError(
          `${loaded.path}: publishers[${i}].size: ${p.sizeBytes.max} bytes is above the server's max_payload of ${maxPayload}; send smaller messages or raise max_payload`,
        );
      }
    });
    if (!embedded) clusterSize = nc.info?.cluster ? Math.max(1, nc.info.connect_urls?.length ?? 1) : 1;
    const serverVersion = nc.info?.version;
    // Which config the embedded server ran from, by path and hash: the result never holds its secrets.
    const serverConfig = embedded ? await serverConfigRecord(options.embedded?.userConfig) : undefined;
    if (profile.stream || plan.durables.length > 0 || profile.faults) {
      events.onPhase?.("setup", profile.stream ? `stream ${profile.stream.name}` : "JetStream");
      setup = await setupJetStream(nc, profile.stream, plan.durables, loaded.path);
      if (profile.stream) await measureBacklogs(setup.jsm, profile.stream.name, plan);
    }
    const warmupNs = profile.warmupMs * 1e6;
    if (profile.faults) {
      faults = await prepareFaults({
        faults: profile.faults,
        target: { ...target, monitorUrls: target.monitorUrl ? [target.monitorUrl] : [] },
        nc,
        jsm: setup!.jsm,
        stream: profile.stream?.name,
        durable: plan.durables[0]?.name,
        warmupNs,
        events,
        connectTo: async (url) =>
          connectNats({
            ...(await connectOptions(connectSpec(profile), "probe")),
            servers: url,
            maxReconnectAttempts: 0,
          }),
      });
    }
    workloads = await setupWorkloads(nc, profile, loaded.path);
    const monitor = target.monitorUrl ? new MonitorClient(target.monitorUrl) : undefined;
    const before = await sampleVarz(monitor);
    const measureEndNs =
      profile.messages === undefined ? warmupNs + profile.durationMs * 1e6 : Number.POSITIVE_INFINITY;
    const startedAt = new Date().toISOString();
    events.onPhase?.(
      "run",
      `${plan.clients.length} clients on ${agents ? `${agents.names().length} agents` : `${plan.threads.length} worker threads`}`,
    );
    const outcome = await coordinate(plan, {
      servers: faults?.servers ?? servers,
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
      record: options.record ?? true,
      signal: options.signal,
      onTick: events.onTick,
      onInterval: events.onInterval,
      onStart: (startNs) => faults?.timeline.arm(startNs),
      gate,
      executor: agents,
    });
    const records = await faults?.close();
    const readBack = records && setup ? await readBackFor(profile, nc, setup.jsm) : undefined;
    const after = await sampleVarz(monitor);
    const jsz = await monitor?.jsz().catch(() => undefined);
    const result = assemble(loaded, plan, outcome, {
      startedAt,
      warmupNs,
      env: {
        ...describeEnv(serverVersion, clusterSize, embedded),
        ...(serverConfig && { serverConfig }),
        ...(agents
          ? agentThreads(agents)
          : { workerThreads: plan.threads.length, workerThreadsReason: sizing.reason }),
        transport,
        ...dataPathOf(outcome.threads),
      },
      server: serverFigures(before, after, jsz),
      faults: records && faultOutcome({ records, outcome, profile, warmupNs, readBack }),
    });
    for (const name of agents?.idle() ?? [])
      result.warnings.push(
        `agent ${name} ran nothing: the profile has fewer instances of each client than there are agents`,
      );
    return { result, snapshots: outcome.intervals, warmupNs, measureEndNs: outcome.measureEndNs };
  } catch (err) {
    // Runs side by side must not wait at the start for one that will never come.
    gate?.withdraw();
    throw err;
  } finally {
    // A run that failed mid-fault still ends every fault: no node left paused, killed or cut off.
    await faults?.close().catch(() => {});
    events.onPhase?.("teardown", "cleaning up");
    if (setup) await teardownJetStream(setup, profile.stream?.deleteAfter ?? true).catch(() => {});
    if (workloads && nc) await teardownWorkloads(nc, profile, workloads).catch(() => {});
    await nc?.close().catch(() => {});
  }
}

function dataPathOf(threads: CoordinateOutcome["threads"]): Pick<RunResult["env"], "dataPath"> {
  const dataPath = mergeDataPaths(threads.map((t) => t.dataPath));
  return dataPath ? { dataPath } : {};
}

/** env's thread figures for a run on agents: each agent sized its threads from its share and CPUs. */
function agentThreads(
  agents: AgentExecutor,
): Pick<RunResult["env"], "workerThreads" | "workerThreadsReason" | "agents"> {
  const env = agents.env();
  return {
    workerThreads: env.reduce((n, a) => n + a.threads, 0),
    workerThreadsReason: `on ${env.length} agent${env.length === 1 ? "" : "s"}: ${env.map((a) => `${a.name} ${a.threads}`).join(", ")} (each sized from its share of the load and its CPUs)`,
    agents: env,
  };
}

function serverFigures(
  before?: Varz,
  after?: Varz,
  jsz?: { storageBytes: number; memoryBytes: number },
): ServerFigures | undefined {
  if (!before || !after) return undefined;
  return {
    version: after.version,
    cpuPercent: after.cpuPercent,
    memBytes: after.memBytes,
    connections: after.connections,
    slowConsumersDuringRun: after.slowConsumers - before.slowConsumers,
    inMsgsDuringRun: after.inMsgs - before.inMsgs,
    outMsgsDuringRun: after.outMsgs - before.outMsgs,
    jetstreamStorageBytes: jsz?.storageBytes ?? 0,
    jetstreamMemoryBytes: jsz?.memoryBytes ?? 0,
  };
}

function assemble(
  loaded: LoadedProfile,
  plan: ReturnType<typeof buildPlan>,
  outcome: CoordinateOutcome,
  extra: {
    startedAt: string;
    warmupNs: number;
    env: RunResult["env"];
    server?: ServerFigures;
    faults?: FaultOutcome;
  },
): RunResult {
  const measuredS = Math.max(0, (outcome.measureEndNs - extra.warmupNs) / 1e9);
  const ops = mergeOps(loaded.profile, outcome.threads, measuredS);
  const base = mergeCounts(plan, outcome.threads);
  const counts = {
    ...base,
    ...ops.counts,
    lateSends: base.lateSends + (ops.counts.lateSends ?? 0),
    unsent: base.unsent + (ops.counts.unsent ?? 0),
  };
  const drain = mergeDrain(plan, outcome.threads, outcome.elapsedNs);
  const endpoints = mergeEndpoints(plan, outcome.threads);
  const unmeasured = e2eUnmeasured(loaded.profile);
  const result: RunResult = {
    schema: RUN_SCHEMA,
    complete: outcome.abortReason === undefined,
    ...(outcome.abortReason !== undefined && { abortReason: outcome.abortReason }),
    profile: loaded.stored,
    env: extra.env,
    startedAt: extra.startedAt,
    durationS: Math.round(outcome.elapsedNs / 1e6) / 1000,
    measuredS: Math.round(measuredS * 1000) / 1000,
    throughput: { ...mergeThroughput(outcome.threads, measuredS), ...ops.throughput },
    ...(outcome.generatorCpuPercent !== undefined && {
      generator: { cpuPercent: outcome.generatorCpuPercent },
    }),
    counts,
    latency: mergeLatency(outcome.threads),
    intervals: mergeIntervals(outcome.intervals, extra.warmupNs, outcome.measureEndNs),
    intervalBucketsS: LATENCY_BUCKETS_S,
    ...(extra.server && { server: extra.server }),
    ...(extra.faults && { faults: extra.faults.faults }),
    ...(extra.faults?.readBack && { readBack: extra.faults.readBack }),
    ...(drain && { drain }),
    ...(endpoints && { endpoints }),
    ...(unmeasured && { e2eUnmeasured: unmeasured }),
    thresholds: [],
    warnings: [],
  };
  if (extra.faults?.lostAcked !== undefined) result.counts.lostAcked = extra.faults.lostAcked;
  result.thresholds = evaluateThresholds(result, loaded.profile.thresholds);
  result.warnings = collectWarnings(result, loaded.profile);
  return result;
}
