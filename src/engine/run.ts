/**
 * runProfile: one run = loads x target x executor x fault timeline (docs/architecture.md, "The run
 * composition"). The loads are the profile's one, or one per tenant; the target is opened once (named
 * servers, or benchline's own node or cluster, with the accounts tenants need and the node handles faults
 * act on); each load prepares on it and gets its executor (this host's pool or agents); one fault
 * timeline acts on the target; one start gate gives every load the same instant, as late as the largest
 * lead any party asks for. No combination is special-cased here. Emits events; never prints. A run that
 * stops early still returns its result, marked `complete: false` with the reason.
 */
import { randomBytes } from "node:crypto";
import type { RunResult } from "../contract/result.js";
import { prepareFaults } from "../faults/setup.js";
import type { FaultRecord } from "../faults/timeline.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { CoordinateOutcome } from "./coordinator.js";
import { StartGate } from "./coordinator.js";
import { LoadRun, type RunOutcome } from "./load-run.js";
import type { RunEvents, RunOptions } from "./run-events.js";
import { openTarget, withAuth } from "./target.js";
import { combineTenants } from "./tenant-results.js";
import { loadsOf, mergeTicks } from "./tenants.js";

export type { EmbeddedSpec } from "./embedded.js";
export { LATE_SEND_THRESHOLD_US, type RunOutcome } from "./load-run.js";
export { combineEvents, type RunEvents, type RunOptions } from "./run-events.js";
export type { Target } from "./target.js";

export async function runProfile(
  loaded: LoadedProfile,
  options: RunOptions,
  events: RunEvents = {},
): Promise<RunResult> {
  const loads = loadsOf(loaded);
  const opened = await openTarget(loaded, loads, options, events);
  const eventsOf = mergeTicks(events, loads.length);
  const runs: LoadRun[] = [];
  // Loads side by side take their shares of the same agents under one id.
  const group = loads.length > 1 ? randomBytes(3).toString("hex") : undefined;
  let faults: Awaited<ReturnType<typeof prepareFaults>> | undefined;
  try {
    loads.forEach((load, i) => {
      const who = load.tenant ? `the user of ${load.loaded.profile.name}` : "the user";
      const profile = withAuth(load.loaded.profile, opened.auths[i]);
      runs.push(
        new LoadRun(
          { ...load.loaded, profile },
          opened.target,
          options,
          eventsOf(i),
          who,
          load.tenant,
          group,
        ),
      );
    });
    for (const run of runs) await run.prepare();
    const profile = loaded.profile;
    if (profile.faults) {
      // One timeline for the target. Leaders are looked up on the first load with a stream.
      const anchor = runs.find((r) => r.jetstream && r.profile.stream) ?? runs[0]!;
      faults = await prepareFaults({
        faults: profile.faults,
        target: {
          ...opened.target,
          monitorUrls: opened.target.monitorUrl ? [opened.target.monitorUrl] : [],
        },
        nc: anchor.nc!,
        jsm: anchor.jetstream!.jsm,
        stream: anchor.profile.stream?.name,
        durable: anchor.plan.durables[0]?.name,
        warmupNs: anchor.warmupNs,
        events,
        connectTo: (url) => anchor.connectTo(url),
      });
    }
    const gate = new StartGate(runs.length);
    let armed = false;
    const onStart = (startNs: bigint) => {
      if (armed) return;
      armed = true;
      faults?.timeline.arm(startNs);
    };
    const settled = await Promise.allSettled(runs.map((r) => r.run(gate, faults, onStart)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const coordinated = settled.map((s) => (s as PromiseFulfilledResult<CoordinateOutcome>).value);
    const records: FaultRecord[] | undefined = await faults?.close();
    const outcomes: RunOutcome[] = [];
    for (const [i, run] of runs.entries()) outcomes.push(await run.finish(coordinated[i]!, records));
    if (!profile.tenants) return outcomes[0]!.result;
    return combineTenants(loaded, profile.tenants, outcomes, records);
  } finally {
    // A run that failed mid-fault still ends every fault: no node left paused, killed or cut off.
    await faults?.close().catch(() => {});
    events.onPhase?.("teardown", "cleaning up");
    for (const run of runs) await run.teardown();
    await opened.stop();
  }
}
