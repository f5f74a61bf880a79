/**
 * The latency kinds a run can produce and the block each is reported as (docs/architecture.md,
 * "Measurements").
 */

/** Latency kinds of the workloads beyond streams: one per operation, and put-to-watch. */
export const OP_LATENCY_KINDS = [
  "kvGet",
  "kvPut",
  "kvUpdate",
  "kvDelete",
  "kvWatch",
  "objPut",
  "objGet",
  "directGet",
] as const;

/** Latency kinds a run can produce (docs/architecture.md, "Measurements"). */
export const LATENCY_KINDS = [
  "pubAck",
  "pubAckRaw",
  "e2e",
  "sendLag",
  "request",
  "ack",
  ...OP_LATENCY_KINDS,
] as const;
export type LatencyKind = (typeof LATENCY_KINDS)[number];

/** What a result says about one kind of latency. Fields carry their unit. */
export interface LatencyBlock {
  count: number;
  minUs: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p95Us: number;
  p99Us: number;
  p999Us: number;
  p9999Us: number;
  maxUs: number;
  /** The histogram, compressed base64, so runs can be merged and re-read. */
  hdr: string;
}
