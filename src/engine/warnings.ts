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
  if (c.duplicates > 0) warnings.push(`${c.duplicates} messages were delivered more than once`);
  if (c.reconnects > 0) warnings.push(`${c.reconnects} reconnects during the run`);
  if (c.permissionViolations)
    warnings.push(
      `${c.permissionViolations} publishes or subscriptions were refused by the server for want of permission`,
    );
  if (result.server && result.server.slowConsumersDuringRun > 0) {
    warnings.push(`the server flagged ${result.server.slowConsumersDuringRun} slow consumers`);
  }
  if (result.env.embeddedServer) {
    warnings.push("the server ran on the same host as the load generator: they compete for its CPUs");
  }
  if (profile.warmupMs === 0)
    warnings.push("no warmup: the first second includes connection and JIT start-up");
  return warnings;
}
