/** Runs a profile K times in a row, as baseline record and compare do: progress per run, each result kept. */
import type { AgentControl } from "../agents/control.js";
import type { RunResult } from "../contract/result.js";
import { loadRefusal } from "../engine/refused-load.js";
import {
  combineEvents,
  type EmbeddedSpec,
  type RunEvents,
  type RunOptions,
  runProfile,
} from "../engine/run.js";
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
  /** How to start the embedded server (--server-config). */
  embedded?: EmbeddedSpec;
  /** Run on agents instead of on this host. */
  agents?: AgentControl;
}

/** One run of a series: progress labelled `tag`, the result kept, a failure said in the series' words. */
export interface OneRun {
  /** The progress label, e.g. "candidate 2/5". */
  tag: string;
  /** The run in messages, e.g. "candidate 2 of 5". */
  name: string;
  keep(result: RunResult): Promise<string>;
  consequence: string;
  events?: RunEvents;
  /** Where the run goes: named servers or how to start the embedded one, and on which agents. */
  target?: Pick<RunOptions, "servers" | "embedded" | "agents">;
}

export async function runOne(loaded: LoadedProfile, o: OneRun): Promise<RunResult> {
  const p = loaded.profile;
  const progress = createProgress(process.stderr, (p.warmupMs + p.durationMs) / 1000, o.tag);
  const result = await runProfile(
    loaded,
    { ...o.target, signal: shutdownSignal },
    combineEvents(progress, o.events),
  );
  progress.done();
  const where = await o.keep(result);
  if (!result.complete) {
    if (shutdownSignal.aborted)
      throw new Interrupted(`interrupted in ${o.name}; ${o.consequence} (partial run in ${where})`);
    throw new RuntimeFailure(`${o.name} failed: ${result.abortReason}; ${o.consequence}`);
  }
  const refused = loadRefusal(result);
  if (refused) throw new RuntimeFailure(`${o.name}: ${refused}; ${o.consequence}`);
  process.stderr.write(`${o.tag}: ${Math.round(result.throughput.publishedPerSec)} msgs/s published\n`);
  return result;
}

export async function runRepeatedly(loaded: LoadedProfile, o: RepeatOptions): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (let i = 0; i < o.count; i++) {
    runs.push(
      await runOne(loaded, {
        tag: `${o.label} ${i + 1}/${o.count}`,
        name: `${o.label} ${i + 1} of ${o.count}`,
        keep: (result) => o.keep(result, i),
        consequence: o.consequence,
        events: o.events,
        target: { embedded: o.embedded, agents: o.agents },
      }),
    );
  }
  return runs;
}
