/**
 * A profile's fault timeline, resolved (docs/architecture.md, "Faults"): units converted, defaults
 * filled. Parsing and the checks live in src/faults/spec.ts; the schema of the input in
 * src/profile/fault-schema.ts.
 */

/** Every kind of fault a timeline may hold. */
export const FAULT_KINDS = ["kill", "restart", "pause", "lameDuck", "stepdown", "network"] as const;
/** Targets resolved when the fault fires: whoever leads then. */
export const LEADER_TARGETS = ["streamLeader", "consumerLeader", "metaLeader"] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];
export type LeaderTarget = (typeof LEADER_TARGETS)[number];
export type FaultTarget = number | LeaderTarget | "random" | "clients";

/** What a network fault does to the links it acts on. Absent fields do nothing. */
export interface NetworkEffect {
  delayMs?: number;
  jitterMs?: number;
  /** Share of TCP segments lost, 0..1: each loss holds the stream for a retransmission. */
  loss?: number;
  bandwidthBytesPerSec?: number;
  blackhole?: boolean;
  reset?: boolean;
}

/** Shell commands for process faults on servers benchline did not start. */
export interface FaultCommands {
  kill?: string;
  start?: string;
  stop?: string;
  pause?: string;
  resume?: string;
  lameDuck?: string;
}

/** One fault, resolved. */
export interface FaultSpec {
  name: string;
  kind: FaultKind;
  target: FaultTarget;
  /** From the start of the measured phase. */
  atMs: number;
  forMs: number;
  /** stepdown: whose leader. */
  of?: "stream" | "consumer" | "meta";
  network?: NetworkEffect;
  command?: FaultCommands;
}
