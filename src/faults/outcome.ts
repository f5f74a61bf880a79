/**
 * A fault run's own part of the result: the figures of each fault, and the acked-loss check of the
 * stream read back after the drain.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { FaultResult, ReadBackResult } from "../contract/fault-results.js";
import type { LatencyKind } from "../contract/latency.js";
import type { Profile } from "../contract/profile.js";
import type { CoordinateOutcome } from "../engine/coordinator.js";
import { type Attempted, checkAckedLoss, type ReadBack } from "./acked-loss.js";
import { faultFigures } from "./figures.js";
import { readBackStream } from "./read-back.js";
import type { FaultRecord } from "./timeline.js";

export interface FaultOutcome {
  faults: FaultResult[];
  lostAcked?: number;
  readBack?: ReadBackResult;
}

/** Reads the stream back when the run published to it with acks; undefined otherwise. */
export async function readBackFor(
  profile: Profile,
  nc: NatsConnection,
  jsm: JetStreamManager,
): Promise<(ReadBack & { messages: number }) | { error: string } | undefined> {
  if (!profile.stream || !profile.publishers.some((p) => p.mode === "jetstream")) return undefined;
  try {
    return await readBackStream(nc, jsm, profile.stream.name);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The run's main latency: what a PubAck, a reply or a delivery took. */
function mainKind(outcome: CoordinateOutcome): LatencyKind | undefined {
  for (const kind of ["pubAck", "request", "e2e"] as const)
    if (outcome.threads.some((t) => t.histograms[kind])) return kind;
  return undefined;
}

export function faultOutcome(args: {
  records: FaultRecord[];
  outcome: CoordinateOutcome;
  profile: Profile;
  warmupNs: number;
  readBack?: (ReadBack & { messages: number }) | { error: string };
}): FaultOutcome {
  const { outcome, profile } = args;
  const faults = faultFigures({
    records: args.records,
    threads: outcome.threads,
    snapshots: outcome.intervals,
    warmupNs: args.warmupNs,
    measureEndNs: outcome.measureEndNs,
    errorGraceNs: Math.max(0, ...profile.publishers.map((p) => p.ackTimeoutMs)) * 1e6,
    latencyKind: mainKind(outcome),
  });
  if (!args.readBack || !profile.stream) return { faults };
  if ("error" in args.readBack)
    return {
      faults,
      readBack: {
        stream: profile.stream.name,
        messages: 0,
        acknowledged: 0,
        lost: 0,
        removedByLimits: 0,
        recovered: 0,
        unexpected: 0,
        lostSample: [],
        streamGone: false,
        error: args.readBack.error,
      },
    };
  const attempted: Attempted[] = outcome.threads
    .flatMap((t) => t.clients)
    .filter((c) => c.role === "publisher" && c.streamSeqs !== undefined)
    .map((c) => ({
      publisherId: c.id,
      sent: c.sent,
      acknowledged: c.acknowledged!,
      streamSeqs: c.streamSeqs,
    }));
  const report = checkAckedLoss(attempted, args.readBack);
  return {
    faults,
    lostAcked: report.lost,
    readBack: {
      stream: profile.stream.name,
      messages: args.readBack.messages,
      streamGone: !args.readBack.streamExists,
      ...report,
    },
  };
}
