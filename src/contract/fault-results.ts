/**
 * A fault run's own parts of a RunResult: each fault's figures and the acked-loss check of the stream
 * read back after the drain (docs/architecture.md, "Faults"). Worked out in src/faults/figures.ts and
 * src/faults/outcome.ts.
 */
import type { FaultTarget } from "./faults.js";
import type { LatencyBlock, LatencyKind } from "./latency.js";

/** One fault in a RunResult. Times in seconds from the start of the measured phase. */
export interface FaultResult {
  name: string;
  kind: string;
  target: FaultTarget;
  /** The node it acted on (a leader is named as it was when the fault fired). */
  node?: { index: number; name?: string };
  fired: boolean;
  atS?: number;
  forS?: number;
  /** The longest stretch from the fault's start with no successful publish (deliveries for core loads). */
  unavailableMs?: number;
  /** From the fault's end until throughput is back within 10% for a whole second and p99 within 2x. */
  recoveryMs?: number;
  recovered: boolean;
  recoveryNote?: string;
  /** Errors by kind in the seconds the fault (and the ack timeout after it) spans. */
  errors: Record<string, number>;
  reconnects: number;
  /** How long each of those reconnects took, disconnect to reconnect. */
  reconnectMs: number[];
  /**
   * Latency of the operations meant to be sent before, during and after the fault (by intended send
   * time), failed ones included at the time they took to fail: a failure never drops out of the figure.
   */
  latency: { kind?: LatencyKind; before?: LatencyBlock; during?: LatencyBlock; after?: LatencyBlock };
  /** Beside those percentiles: how many of the same operations succeeded and failed, per window. */
  operations?: { before?: WindowOps; during?: WindowOps; after?: WindowOps };
  error?: string;
}

/** The operations of one window: succeeded, failed, and the share that succeeded (0..1). */
export interface WindowOps {
  succeeded: number;
  failed: number;
  successRatio: number;
}

/** What the acked-loss check found: acknowledged messages against what the stream holds. */
export interface LossReport {
  acknowledged: number;
  /** Acknowledged, absent, not removed by limits: the number that matters. */
  lost: number;
  removedByLimits: number;
  /** Sent without an acknowledgement (timed out, say), yet in the stream. */
  recovered: number;
  /** In the stream, but never sent by this run (a sequence past what a publisher sent). */
  unexpected: number;
  /** Up to 10 lost messages as publisher:sequence, to look for in the stream. */
  lostSample: string[];
}

/** What the read-back found, in the result. */
export interface ReadBackResult extends Omit<LossReport, "acknowledged"> {
  stream: string;
  /** Messages read from the stream. */
  messages: number;
  acknowledged: number;
  /** The stream no longer existed after the run: everything it acknowledged is lost. */
  streamGone: boolean;
  /** Why the stream could not be read, when it could not (the check then says nothing). */
  error?: string;
}
