/** Warnings are data: conditions that make a result less trustworthy, rendered by every reporter. */
import { dataPathWarning } from "../contract/data-path.js";
import { describeErrorCounts } from "../contract/error-kinds.js";
import { describeRefusal } from "../contract/permissions.js";
import type { Profile } from "../contract/profile.js";
import type { RunResult } from "../contract/result.js";
import { LOSS_TERMS, lossWarnings } from "./loss.js";
import { loadRefusal } from "./refused-load.js";

export function collectWarnings(result: RunResult, profile: Profile): string[] {
  const warnings: string[] = [];
  const c = result.counts;
  if (!result.complete)
    warnings.push(`the run stopped early (${result.abortReason}); figures cover what ran`);
  warnings.push(...lateSendWarnings(c, idleGenerator(result)));
  if (c.unsent > 0) {
    warnings.push(
      `${c.unsent} messages due in the run were never sent: the load generator fell more than 1 s behind its rate`,
    );
  }
  const errors = Object.values(c.publishErrors).reduce((a, b) => a + b, 0);
  if (errors > 0) {
    const stored = result.readBack?.recovered
      ? `; ${result.readBack.recovered} of them the stream stored anyway (in it when read back)`
      : "";
    warnings.push(
      `${errors} publishes failed (messages ${LOSS_TERMS.unacknowledged}): ${describeErrorCounts(c.publishErrors)}${stored}`,
    );
  }
  warnings.push(...lossWarnings(result));
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
      `${c.permissionViolations} publishes or subscriptions were refused by the server for want of permission${c.permissionRefusals?.length ? `: ${c.permissionRefusals.map(describeRefusal).join(", ")}` : ""}`,
    );
  const refusal = loadRefusal(result);
  if (refusal) warnings.unshift(refusal);
  if (result.server && result.server.slowConsumersDuringRun > 0) {
    warnings.push(`the server flagged ${result.server.slowConsumersDuringRun} slow consumers`);
  }
  const slowPath = dataPathWarning(result.env.dataPath);
  if (slowPath) warnings.push(slowPath);
  const clock = e2eClockWarning(result);
  if (clock) warnings.push(clock);
  if (result.env.embeddedServer) {
    warnings.push("the server ran on the same host as the load generator: they compete for its CPUs");
  }
  // A consume-only drain is timed from the start instant by design: the backlog is its subject, and
  // there is no rate or latency for start-up to spoil. The fill before it (drain.yaml's comment:
  // quick js-pub --keep --warmup 0s) keeps its stream and what it published, so a warmup's messages
  // would be kept too: it has none on purpose.
  if (profile.warmupMs === 0 && !result.drain && !keepsWhatItPublishes(profile))
    warnings.push("no warmup: the first second includes connection and JIT start-up");
  return warnings;
}

/** A fill: its stream is neither purged before the run nor deleted after it (quick --keep). */
function keepsWhatItPublishes(profile: Profile): boolean {
  return profile.stream !== undefined && !profile.stream.purge && !profile.stream.deleteAfter;
}

/** Late sends above this share of all sends are worth a warning. */
const LATE_SHARE = 0.01;

/**
 * Late sends have two causes, told apart by the publishers: a generator that could not keep up (CPU),
 * and a server that stopped answering, so the in-flight window (maxInFlight) filled and sends had to
 * wait for it. The second is the server's doing; latency from the intended send time already counts
 * the wait, as it should.
 */
/**
 * The generator's CPU when it was mostly idle (under half of its worker threads' cores, one process,
 * no agents): its late sends then come from the host's scheduling, not from a generator short of CPU.
 */
function idleGenerator(result: RunResult): number | undefined {
  const cpu = result.generator?.cpuPercent;
  const threads = result.env.workerThreads;
  if (cpu === undefined || !threads || result.env.agents?.length) return undefined;
  return cpu < threads * 50 ? cpu : undefined;
}

export function lateSendWarnings(c: RunResult["counts"], idleCpuPercent?: number): string[] {
  if (c.published === 0) return [];
  const windowFull = c.lateSendsWindowFull ?? 0;
  const own = c.lateSends - windowFull;
  const pct = (n: number) => `${((n / c.published) * 100).toFixed(1)}%`;
  const out: string[] = [];
  if (windowFull / c.published > LATE_SHARE)
    out.push(
      `${pct(windowFull)} of sends were more than 2 ms late waiting for the server: the in-flight window (maxInFlight) was full of unanswered publishes (a server that stalled, or a window too small for the rate times the latency), not a generator short of CPU; latency counts from the intended send time, so it includes the wait`,
    );
  const late = `${pct(own)} of sends were more than 2 ms late${windowFull > 0 ? " with the in-flight window open" : ""}`;
  if (own / c.published > LATE_SHARE)
    out.push(
      idleCpuPercent === undefined
        ? `${late}: the load generator could not hold the rate, so latency includes its own delay (see sendLag)`
        : `${late} while the load generator used ${idleCpuPercent}% of one core: not short of CPU, its threads waited for the host's scheduler (the server or other processes beside it); latency counts from the intended send time, so it includes the delay (see sendLag)`,
    );
  return out;
}

/**
 * The late-send warnings of runs kept as one series (a baseline's, compare's candidates, a side of ab):
 * a series recorded while the generator could not hold the rate measured the generator as much as the
 * server. Said once per series, in run's own words for its worst run, naming every run that was late.
 */
export function seriesLateSendWarnings(
  runs: ReadonlyArray<Pick<RunResult, "counts">>,
  name: string,
): string[] {
  const flagged = runs
    .map((r, i) => ({
      run: i + 1,
      warnings: lateSendWarnings(r.counts),
      share: r.counts.published > 0 ? r.counts.lateSends / r.counts.published : 0,
    }))
    .filter((f) => f.warnings.length > 0);
  if (flagged.length === 0) return [];
  const worst = flagged.reduce((a, b) => (b.share > a.share ? b : a));
  const spans = runSpans(flagged.map((f) => f.run));
  const which =
    flagged.length === 1
      ? `${name} ${worst.run} of ${runs.length}`
      : `${name}s ${spans.length > 1 ? `${spans.slice(0, -1).join(", ")} and ${spans.at(-1)}` : spans[0]} of ${runs.length} (the worst, ${worst.run})`;
  return worst.warnings.map((w) => `${which}: ${w}`);
}

/** Ascending run numbers as spans: [1, 2, 3, 5] -> ["1-3", "5"]. */
export function runSpans(numbers: number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(j > i ? `${numbers[i]}-${numbers[j]}` : `${numbers[i]}`);
    i = j + 1;
  }
  return out;
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
