/** The RunResult contract (schema "benchline/run@1", DESIGN.md). Field names carry their units. */
import type { ThresholdCheck } from "../baseline/thresholds.js";
import type { LatencyBlock } from "../metrics/histogram.js";
import type { Profile } from "../profile/profile.js";
import type { LatencyKind } from "./protocol.js";

export const RUN_SCHEMA = "benchline/run@1";

export interface RunEnv {
  host: string;
  cpus: number;
  node: string;
  benchline: string;
  client: string;
  serverVersion?: string;
  clusterSize: number;
  embeddedServer: boolean;
  gitSha?: string;
}

export interface Throughput {
  publishedPerSec: number;
  consumedPerSec: number;
  publishedBytesPerSec: number;
  consumedBytesPerSec: number;
}

/** Whole-run integrity counts (warmup included): every message is accounted for. */
export interface Counts {
  published: number;
  acked: number;
  consumed: number;
  publishErrors: Record<string, number>;
  consumerErrors: Record<string, number>;
  redeliveries: number;
  duplicates: number;
  gaps: number;
  lost: number;
  lateSends: number;
  /** Due in the run but never sent: the open-loop generator fell more than a second behind. */
  unsent: number;
  reconnects: number;
  /**
   * Publishes and subscriptions the server refused for want of permission (a tenant reaching outside
   * its subjects). Absent in results written before tenants existed.
   */
  permissionViolations?: number;
}

/** One second of the run, all threads merged. */
export interface IntervalPoint {
  /** Seconds since the start instant at the end of this interval. */
  t: number;
  phase: "warmup" | "measure" | "drain";
  published: number;
  acked: number;
  consumed: number;
  errors: number;
  [percentile: `${string}Us`]: number;
}

/** What the monitoring port said, when it was reachable. */
export interface ServerFigures {
  version: string;
  cpuPercent: number;
  memBytes: number;
  connections: number;
  slowConsumersDuringRun: number;
  inMsgsDuringRun: number;
  outMsgsDuringRun: number;
  jetstreamStorageBytes: number;
  jetstreamMemoryBytes: number;
}

export interface RunResult {
  schema: typeof RUN_SCHEMA;
  complete: boolean;
  /** Why the run stopped early, when it did. */
  abortReason?: string;
  profile: Profile;
  env: RunEnv;
  startedAt: string;
  durationS: number;
  /** Length of the measured phase that throughput is divided by. */
  measuredS: number;
  throughput: Throughput;
  counts: Counts;
  latency: Partial<Record<LatencyKind, LatencyBlock>>;
  intervals: IntervalPoint[];
  server?: ServerFigures;
  /** The profile's thresholds, checked against this run. */
  thresholds: ThresholdCheck[];
  warnings: string[];
  /** With tenants: each tenant's own figures (the top level holds them all together). */
  tenants?: Record<string, TenantResult>;
}

/** One tenant's part of a run. */
export interface TenantResult {
  complete: boolean;
  abortReason?: string;
  measuredS: number;
  throughput: Throughput;
  counts: Counts;
  latency: Partial<Record<LatencyKind, LatencyBlock>>;
  warnings: string[];
}
