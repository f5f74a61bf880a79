/**
 * A run whose load the server refused measured the refusal, not the system: most publishes refused for
 * want of permission, or failed (no PubAck, an API error). Such a run must not pass, and must not read as
 * the generator's fault. Fault runs expect failures inside their windows; there only refusals count.
 */
import { describeErrorCounts } from "../contract/error-kinds.js";
import { describeRefusal } from "../contract/permissions.js";
import type { RunResult } from "../contract/result.js";

/** At or past this share of sends refused or failed, the load was the server's to refuse. */
export const REFUSED_SHARE = 0.5;

/** One line saying how the server refused the load and what to do, or undefined when it did not. */
export function loadRefusal(result: RunResult): string | undefined {
  const c = result.counts;
  if (c.published === 0) return undefined;
  const refusals = (c.permissionRefusals ?? []).filter((r) => r.operation === "publish");
  const refused = refusals.reduce((n, r) => n + r.count, 0);
  const failed = result.faults?.length ? 0 : Object.values(c.publishErrors).reduce((a, b) => a + b, 0);
  if (refused + failed < c.published * REFUSED_SHARE) return undefined;
  if (refused >= failed)
    return `the server refused the load: ${refusals.map(describeRefusal).join(", ")} of ${c.published} sent; grant those subjects to the user, or point the profile at subjects it may use`;
  const byService = Object.entries(c.publishErrors)
    .filter(([kind]) => kind.startsWith("serviceError:"))
    .reduce((n, [, v]) => n + v, 0);
  // A service that answers with errors is the service's failure, not the server's or a stream's.
  if (byService * 2 >= failed)
    return `the service answered ${byService} of ${c.published} requests with an error (${describeErrorCounts(c.publishErrors)}); the figures measure its errors: check the service and the endpoint's handler`;
  return `the server failed ${failed} of ${c.published} publishes (${describeErrorCounts(c.publishErrors)}); the figures measure the failure, not the system: check that a stream captures the subjects and that the server is healthy`;
}
