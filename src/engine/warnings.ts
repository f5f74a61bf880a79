/** Warnings are data: conditions that make a result less trustworthy, rendered by every reporter. */
import type { Profile } from "../profile/profile.js";
import type { RunResult } from "./result.js";

export function collectWarnings(result: RunResult, profile: Profile): string[] {
  const warnings: string[] = [];
  const c = result.counts;
  if (!result.complete)
    warnings.push(`the run stopped early (${result.abortReason}); figures cover what ran`);
  if (c.published > 0 && c.lateSends / c.published > 0.01) {
    warnings.push(
      `${((c.lateSends / c.published) * 100).toFixed(1)}% of sends were more than 2 ms late: the load generator could not hold the rate, so latency includes its own delay (see sendLag)`,
    );
  }
  if (c.unsent > 0) {
    warnings.push(
      `${c.unsent} messages due in the run were never sent: the load generator fell more than 1 s behind its rate`,
    );
  }
  const errors = Object.values(c.publishErrors).reduce((a, b) => a + b, 0);
  if (errors > 0) warnings.push(`${errors} publish errors: ${JSON.stringify(c.publishErrors)}`);
  if (c.lost > 0) warnings.push(`${c.lost} acknowledged messages were never consumed`);
  if (c.lostAcked)
    warnings.push(`${c.lostAcked} messages the stream acknowledged were not in it when read back`);
  if (result.readBack?.streamGone)
    warnings.push(`the stream ${result.readBack.stream} was gone after the run`);
  for (const f of result.faults ?? []) {
    if (f.error) warnings.push(`fault ${f.name}: ${f.error}`);
    else if (!f.fired) warnings.push(`fault ${f.name} never fired: the run ended before its time`);
    else if (!f.recovered)
      warnings.push(
        `fault ${f.name}: throughput and latency did not recover before the measured phase ended${f.recoveryNote ? ` (${f.recoveryNote})` : ""}`,
      );
  }
  if (result.drain?.backlogMsgs === 0)
    warnings.push(
      "the consumers found no backlog to drain: fill the stream first (the profile's comment shows how), or give it publishers",
    );
  else if (result.drain && !result.drain.drained)
    warnings.push(
      `the consumers read ${result.drain.consumedMsgs} of a backlog of ${result.drain.backlogMsgs} before the run ended: drainedPerSec is over the whole run`,
    );
  if (c.duplicates > 0) warnings.push(`${c.duplicates} messages were delivered more than once`);
  if (c.reconnects > 0) warnings.push(`${c.reconnects} reconnects during the run`);
  if (c.permissionViolations)
    warnings.push(
      `${c.permissionViolations} publishes or subscriptions were refused by the server for want of permission`,
    );
  if (result.server && result.server.slowConsumersDuringRun > 0) {
    warnings.push(`the server flagged ${result.server.slowConsumersDuringRun} slow consumers`);
  }
  const clock = e2eClockWarning(result);
  if (clock) warnings.push(clock);
  if (result.env.embeddedServer) {
    warnings.push("the server ran on the same host as the load generator: they compete for its CPUs");
  }
  if (profile.warmupMs === 0)
    warnings.push("no warmup: the first second includes connection and JIT start-up");
  return warnings;
}

/** e2e is read against this bound: beyond a tenth of the median the clocks may be what it shows. */
const CLOCK_ERROR_SHARE = 0.1;

/**
 * e2e across agents: a message sent on one host and received on another is timed on two clocks, each
 * known to the coordinator's within its error bound, so the latency is known within the sum of the two.
 * The worst pair is the two largest bounds.
 */
export function e2eClockWarning(result: RunResult): string | undefined {
  const agents = result.env.agents ?? [];
  const e2e = result.latency.e2e;
  if (agents.length < 2 || !e2e) return undefined;
  const [a, b] = agents.map((x) => x.clockErrorUs).sort((x, y) => y - x);
  const boundUs = a! + b!;
  if (boundUs <= e2e.p50Us * CLOCK_ERROR_SHARE) return undefined;
  return `e2e latency crosses hosts whose clocks agree to within ±${boundUs} us, ${Math.round((boundUs / Math.max(1, e2e.p50Us)) * 100)}% of its p50 of ${e2e.p50Us} us: read e2e to that precision (pubAck is timed on one host)`;
}
