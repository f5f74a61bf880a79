/**
 * The RunResult contract (schema "benchline/run@1", docs/architecture.md, "Contracts"). Field names carry
 * their units.
 */
import type { RunEnv } from "./env.js";
import type { FaultResult, ReadBackResult } from "./fault-results.js";
import type { LatencyBlock, LatencyKind } from "./latency.js";
import type { PermissionRefusal } from "./permissions.js";
import type { Profile } from "./profile.js";
import type { ThresholdCheck } from "./thresholds.js";

/** The `schema` field of every result.json. */
export const RUN_SCHEMA = "benchline/run@1";

/** What the load generator itself cost: so a reader can tell a generator-bound run from a server-bound one. */
export interface GeneratorFigures {
  /** CPU of the benchline process (every thread) over the measured phase, in percent of one core. */
  cpuPercent: number;
}

/** Rates over the measured phase (messages and bytes per second). */
export interface Throughput {
  publishedPerSec: number;
  consumedPerSec: number;
  publishedBytesPerSec: number;
  consumedBytesPerSec: number;
  /** KV, Object Store and direct get operations that succeeded, per second of the measured phase. */
  opsPerSec?: number;
  /** Bytes those operations read (values, objects, messages) and wrote, per second. */
  readBytesPerSec?: number;
  writtenBytesPerSec?: number;
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
  /**
   * Of lateSends, those late because the in-flight window (maxInFlight) was full: the server stopped
   * answering, the generator kept up. Absent in results written before it was counted.
   */
  lateSendsWindowFull?: number;
  /** Due in the run but never sent: the open-loop generator fell more than a second behind. */
  unsent: number;
  reconnects: number;
  /**
   * Publishes and subscriptions the server refused for want of permission (a tenant reaching outside
   * its subjects). Absent in results written before tenants existed.
   */
  permissionViolations?: number;
  /** The subjects refused, each with its count and the grant that would allow it; absent when none. */
  permissionRefusals?: PermissionRefusal[];
  /**
   * Fault runs: messages the stream acknowledged that were not in it when read back after the drain
   * (removed by the stream's own limits excepted). Absent when the stream was not read back.
   */
  lostAcked?: number;
  /** KV, Object Store and direct get operations issued, and their failures by kind (e.g. kvGet:timeout). */
  ops?: number;
  opErrors?: Record<string, number>;
  /** Gets that found no value (KV, direct get) or no object. */
  kvMisses?: number;
  /** KV updates refused because the key changed since its revision was read (compare-and-set). */
  kvConflicts?: number;
  /** Object gets whose content did not match the stored digest. */
  objChecksumFailures?: number;
  /** KV watch updates received. */
  watchUpdates?: number;
}

/** A consume-only run: the backlog waiting at the start, and how long the consumers took to drain it. */
export interface DrainFigures {
  backlogMsgs: number;
  consumedMsgs: number;
  drained: boolean;
  /** From the start instant to the last message of the backlog (or the run's end when not drained). */
  drainS: number;
  drainedPerSec: number;
}

/** A micro service endpoint driven with requests. */
export interface EndpointFigures {
  requests: number;
  replies: number;
  errors: Record<string, number>;
  latency?: LatencyBlock;
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
  /**
   * This second's failed publishes by kind (consumer and operation errors apart), as counts.publishErrors.
   * Absent in results written before alert replays (`benchline slo --tests`).
   */
  publishErrors?: Record<string, number>;
  /**
   * Per latency kind, this second's samples at or below each bound of RunResult.intervalBucketsS
   * (cumulative, as Prometheus `le` buckets), then the second's total (`+Inf`). What /metrics would
   * have added to its histograms in this second; absent in results written before alert replays.
   */
  le?: Partial<Record<LatencyKind, number[]>>;
  /**
   * Fault runs: per kind timed from the intended send time (pubAck, request, e2e), the operations meant
   * to be sent in this second, whenever they completed. The per-kind percentiles above are by the
   * second an operation completed in (as /metrics saw them); these line up with the faults' seconds.
   */
  byIntended?: Partial<Record<LatencyKind, IntendedSecond>>;
  [percentile: `${string}Us`]: number;
}

/** The operations intended in one second: successes and failures apart. */
export interface IntendedSecond {
  succeeded: number;
  failed: number;
  /** The successes' latency; absent when none succeeded. */
  p50Us?: number;
  p99Us?: number;
  maxUs?: number;
  /** How long the failures took to fail (a timeout, a 503); absent when none failed. */
  failedP99Us?: number;
  failedMaxUs?: number;
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

/** One run: what was run, where, and everything it measured. */
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
  generator?: GeneratorFigures;
  counts: Counts;
  latency: Partial<Record<LatencyKind, LatencyBlock>>;
  intervals: IntervalPoint[];
  /** The `le` bounds in seconds of every interval's `le` counts (the buckets benchline exports). */
  intervalBucketsS?: number[];
  server?: ServerFigures;
  /** Consume only: the backlog and how long it took. */
  drain?: DrainFigures;
  /** Per micro service endpoint (SERVICE.ENDPOINT): requests, replies, errors and latency. */
  endpoints?: Record<string, EndpointFigures>;
  /** Publishers whose e2e latency and loss cannot be measured, and why. */
  e2eUnmeasured?: string[];
  /** The profile's thresholds, checked against this run. */
  thresholds: ThresholdCheck[];
  warnings: string[];
  /** Each fault of the profile's timeline and what it did (docs/architecture.md, "Faults"). */
  faults?: FaultResult[];
  /** The stream read back after a fault run: the acked-loss check. */
  readBack?: ReadBackResult;
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
  /** The target's faults as this tenant's load met them (fault runs). */
  faults?: FaultResult[];
  /** This tenant's stream read back after a fault run: its own acked-loss check. */
  readBack?: ReadBackResult;
  warnings: string[];
}
