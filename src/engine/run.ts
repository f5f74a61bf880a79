/**
 * runProfile: profile -> server (embedded when none is named) -> stream setup -> coordinator -> merge ->
 * RunResult. Emits events; never prints. A run that stops early still returns its result, marked
 * `complete: false` with the reason, so the caller can write it before reporting the failure.
 */
import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { evaluateThresholds } from "../baseline/thresholds.js";
import { UsageError } from "../errors.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { Profile } from "../profile/profile.js";
import { LocalCluster } from "../server/cluster.js";
import { NatsServer } from "../server/launcher.js";
import { MonitorClient, type Varz } from "../server/monitor.js";
import { connectFailure, connectOptions, connectSpec } from "./connect-options.js";
import { type CoordinateOutcome, coordinate, type StartGate, type Tick } from "./coordinator.js";
import { describeEnv } from "./env.js";
import { setupJetStream, teardownJetStream } from "./jetstream-setup.js";
import { mergeCounts, mergeIntervals, mergeLatency, mergeThroughput } from "./merge.js";
import { buildPlan } from "./plan.js";
import type { IntervalSnapshot } from "./protocol.js";
import { RUN_SCHEMA, type RunResult, type ServerFigures } from "./result.js";
import { runTenants } from "./tenants.js";
import { collectWarnings } from "./warnings.js";

export interface RunOptions {
  /** Overrides the profile's servers. */
  servers?: string[];
  /** Monitoring URL of an external server, for the server figures. */
  monitorUrl?: string;
  signal: AbortSignal;
  /** Record histograms; off only to measure what recording costs. */
  record?: boolean;
}

export interface RunEvents {
  onPhase?(phase: "server" | "setup" | "run" | "teardown", detail: string): void;
  onTick?(tick: Tick): void;
  onInterval?(snapshot: IntervalSnapshot): void;
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
  };
}

/** Sends later than this after their intended time count as late. */
export const LATE_SEND_THRESHOLD_US = 2000;

/** Starts the server a profile needs when none is named: a 3-node cluster for replicated streams. */
export async function startEmbedded(
  profile: Profile,
): Promise<{ urls: string[]; monitorUrl: string; stop(): Promise<void>; size: number }> {
  const replicas = profile.stream?.replicas ?? 1;
  if (replicas > 1) {
    const cluster = await LocalCluster.start(Math.max(3, replicas));
    return {
      urls: cluster.clientUrls,
      monitorUrl: cluster.nodes[0]!.monitorUrl,
      stop: () => cluster.stop(),
      size: cluster.nodes.length,
    };
  }
  const server = await NatsServer.start();
  return { urls: [server.clientUrl], monitorUrl: server.monitorUrl, stop: () => server.stop(), size: 1 };
}

async function connectControl(servers: string[], profile: Profile): Promise<NatsConnection> {
  const options = await connectOptions(connectSpec(profile), "control");
  try {
    return await connect({ ...options, servers });
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
  if (loaded.profile.tenants) return runTenants(loaded, options, events);
  const profile = loaded.profile;
  const servers = options.servers?.length ? options.servers : profile.servers;
  if (servers.length > 0) {
    const target = { servers, monitorUrl: options.monitorUrl, embedded: false, clusterSize: 1 };
    return (await runOnServers(loaded, target, options, events)).result;
  }
  events.onPhase?.(
    "server",
    profile.stream && profile.stream.replicas > 1
      ? "starting a 3-node nats-server cluster"
      : "starting nats-server",
  );
  const started = await startEmbedded(profile);
  try {
    const target = {
      servers: started.urls,
      monitorUrl: started.monitorUrl,
      embedded: true,
      clusterSize: started.size,
    };
    return (await runOnServers(loaded, target, options, events)).result;
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
  const plan = buildPlan(profile, runId);
  const { servers, embedded } = target;
  let clusterSize = target.clusterSize;
  let nc: NatsConnection | undefined;
  let setup: Awaited<ReturnType<typeof setupJetStream>> | undefined;
  try {
    nc = await connectControl(servers, profile);
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
    if (profile.stream || plan.durables.length > 0) {
      events.onPhase?.("setup", `stream ${profile.stream?.name}`);
      setup = await setupJetStream(nc, profile.stream, plan.durables, loaded.path);
    }
    const monitor = target.monitorUrl ? new MonitorClient(target.monitorUrl) : undefined;
    const before = await sampleVarz(monitor);
    const warmupNs = profile.warmupMs * 1e6;
    const measureEndNs =
      profile.messages === undefined ? warmupNs + profile.durationMs * 1e6 : Number.POSITIVE_INFINITY;
    const startedAt = new Date().toISOString();
    events.onPhase?.("run", `${plan.clients.length} clients on ${plan.threads.length} worker threads`);
    const outcome = await coordinate(plan, {
      servers,
      connect: connectSpec(profile),
      stream: profile.stream?.name,
      connectionsPerWorker: profile.connectionsPerWorker,
      timing: { warmupNs, measureEndNs, lateSendThresholdUs: LATE_SEND_THRESHOLD_US },
      drainMs: profile.drainMs,
      ackTimeoutMs: Math.max(...profile.publishers.map((p) => p.ackTimeoutMs)),
      record: options.record ?? true,
      signal: options.signal,
      onTick: events.onTick,
      onInterval: events.onInterval,
      gate,
    });
    const after = await sampleVarz(monitor);
    const jsz = await monitor?.jsz().catch(() => undefined);
    const result = assemble(loaded, plan, outcome, {
      startedAt,
      warmupNs,
      env: describeEnv(serverVersion, clusterSize, embedded),
      server: serverFigures(before, after, jsz),
    });
    return { result, snapshots: outcome.intervals, warmupNs, measureEndNs: outcome.measureEndNs };
  } catch (err) {
    // Runs side by side must not wait at the start for one that will never come.
    gate?.withdraw();
    throw err;
  } finally {
    events.onPhase?.("teardown", "cleaning up");
    if (setup) await teardownJetStream(setup, profile.stream?.deleteAfter ?? true).catch(() => {});
    await nc?.close().catch(() => {});
  }
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
  extra: { startedAt: string; warmupNs: number; env: RunResult["env"]; server?: ServerFigures },
): RunResult {
  const measuredS = Math.max(0, (outcome.measureEndNs - extra.warmupNs) / 1e9);
  const counts = mergeCounts(plan, outcome.threads);
  const result: RunResult = {
    schema: RUN_SCHEMA,
    complete: outcome.abortReason === undefined,
    ...(outcome.abortReason !== undefined && { abortReason: outcome.abortReason }),
    profile: loaded.stored,
    env: extra.env,
    startedAt: extra.startedAt,
    durationS: Math.round(outcome.elapsedNs / 1e6) / 1000,
    measuredS: Math.round(measuredS * 1000) / 1000,
    throughput: mergeThroughput(outcome.threads, measuredS),
    counts,
    latency: mergeLatency(outcome.threads),
    intervals: mergeIntervals(outcome.intervals, extra.warmupNs, outcome.measureEndNs),
    ...(extra.server && { server: extra.server }),
    thresholds: [],
    warnings: [],
  };
  result.thresholds = evaluateThresholds(result, loaded.profile.thresholds);
  result.warnings = collectWarnings(result, loaded.profile);
  return result;
}
