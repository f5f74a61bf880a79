/** Gathers what `benchline server status` shows, from the process table and the monitoring port. */

import { tailFile } from "../util/files.js";
import { MonitorClient } from "./monitor.js";
import { isNatsServerProcess } from "./process.js";
import type { ServerNodeState, ServerState } from "./state.js";

/** Per-second rates between two samples of the same node. */
export interface TrafficRates {
  inMsgsPerSec: number;
  outMsgsPerSec: number;
  inBytesPerSec: number;
  outBytesPerSec: number;
}

/** One node as seen now. Traffic fields are absent when the monitoring port did not answer. */
export interface NodeStatus {
  pid: number;
  running: boolean;
  healthy: boolean;
  healthError?: string;
  clientUrl: string;
  monitorUrl: string;
  serverName?: string;
  version?: string;
  uptime?: string;
  connections?: number;
  inMsgs?: number;
  outMsgs?: number;
  inBytes?: number;
  outBytes?: number;
  slowConsumers?: number;
  memBytes?: number;
  cpuPercent?: number;
  jetstream?: {
    streams: number;
    consumers: number;
    storageBytes: number;
    maxStorageBytes: number;
    memoryBytes: number;
    maxMemoryBytes: number;
    metaLeader?: string;
  };
  rates?: TrafficRates;
  sampledAtMs: number;
}

/** The whole server (one node or a cluster). */
export interface ServerStatus {
  startedAt: string;
  healthy: boolean;
  nodes: NodeStatus[];
  logFile: string;
  logTail: string;
}

async function nodeStatus(node: ServerNodeState): Promise<NodeStatus> {
  const base = {
    pid: node.pid,
    clientUrl: node.clientUrl,
    monitorUrl: node.monitorUrl,
    sampledAtMs: Date.now(),
  };
  if (!isNatsServerProcess(node.pid)) {
    return { ...base, running: false, healthy: false, healthError: "process is not running" };
  }
  const monitor = new MonitorClient(node.monitorUrl);
  try {
    const [health, varz, jsz] = await Promise.all([monitor.healthz(), monitor.varz(), monitor.jsz()]);
    return {
      ...base,
      running: true,
      healthy: health.ok,
      healthError: health.error,
      serverName: varz.serverName,
      version: varz.version,
      uptime: varz.uptime,
      connections: varz.connections,
      inMsgs: varz.inMsgs,
      outMsgs: varz.outMsgs,
      inBytes: varz.inBytes,
      outBytes: varz.outBytes,
      slowConsumers: varz.slowConsumers,
      memBytes: varz.memBytes,
      cpuPercent: varz.cpuPercent,
      jetstream: {
        streams: jsz.streams,
        consumers: jsz.consumers,
        storageBytes: jsz.storageBytes,
        maxStorageBytes: jsz.maxStorageBytes,
        memoryBytes: jsz.memoryBytes,
        maxMemoryBytes: jsz.maxMemoryBytes,
        metaLeader: jsz.metaLeader,
      },
    };
  } catch (err) {
    return { ...base, running: true, healthy: false, healthError: (err as Error).message };
  }
}

export async function collectStatus(state: ServerState, previous?: ServerStatus): Promise<ServerStatus> {
  const nodes = await Promise.all(state.nodes.map(nodeStatus));
  if (previous) {
    nodes.forEach((node, i) => {
      node.rates = ratesBetween(previous.nodes[i], node);
    });
  }
  const logFile = state.nodes[0]!.logFile;
  return {
    startedAt: state.startedAt,
    healthy: nodes.every((n) => n.healthy),
    nodes,
    logFile,
    logTail: await tailFile(logFile, 5),
  };
}

/** Rates from two samples; undefined when either lacks traffic figures. */
export function ratesBetween(before: NodeStatus | undefined, after: NodeStatus): TrafficRates | undefined {
  if (!before || before.inMsgs === undefined || after.inMsgs === undefined) return undefined;
  const seconds = (after.sampledAtMs - before.sampledAtMs) / 1000;
  if (seconds <= 0) return undefined;
  const rate = (a?: number, b?: number) => Math.max(0, ((a ?? 0) - (b ?? 0)) / seconds);
  return {
    inMsgsPerSec: rate(after.inMsgs, before.inMsgs),
    outMsgsPerSec: rate(after.outMsgs, before.outMsgs),
    inBytesPerSec: rate(after.inBytes, before.inBytes),
    outBytesPerSec: rate(after.outBytes, before.outBytes),
  };
}
