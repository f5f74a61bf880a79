/** Runs a profile K times in a row, as baseline record and compare do: progress per run, each result kept. */
import type { RunResult } from "../engine/result.js";
import { combineEvents, type RunEvents, runProfile } from "../engine/run.js";
import { Interrupted, RuntimeFailure } from "../errors.js";
import type { LoadedProfile } from "../profile/loader.js";
import { createProgress } from "../report/progress.js";
import { shutdownSignal } from "../util/shutdown.js";

export interface RepeatOptions {
  count: number;
  /** "run" or "candidate", for progress and messages. */
  label: string;
  /** Writes one run's result; returns where, for messages. Called for incomplete runs too. */
  keep(result: RunResult, index: number): Promise<string>;
  /** What a failure means for the command's own output, e.g. "baselines/x.json was not written". */
  consequence: string;
  /** More listeners for every run's events (e.g. the /metrics endpoint). */
  events?: RunEvents;
}

export async function runRepeatedly(loaded: LoadedProfile, o: RepeatOptions): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  const p = loaded.profile;
  for (let i = 0; i < o.count; i++) {
    const tag = `${o.label} ${i + 1}/${o.count}`;
    const progress = createProgress(process.stderr, (p.warmupMs + p.durationMs) / 1000, tag);
    const result = await runProfile(loaded, { signal: shutdownSignal }, combineEvents(progress, o.events));
    progress.done();
    const where = await o.keep(result, i);
    if (!result.complete) {
      if (shutdownSignal.aborted)
        throw new Interrupted(
          `interrupted in ${o.label} ${i + 1} of ${o.count}; ${o.consequence} (partial run in ${where})`,
        );
      throw new RuntimeFailure(
        `${o.label} ${i + 1} of ${o.count} failed: ${result.abortReason}; ${o.consequence}`,
      );
    }
    process.stderr.write(`${tag}: ${Math.round(result.throughput.publishedPerSec)} msgs/s published\n`);
    runs.push(result);
  }
  return runs;
}
