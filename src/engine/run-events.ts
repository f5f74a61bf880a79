/**
 * What a run is told and what it tells: the options every layer of the run composition shares, and the
 * events it emits (it never prints; progress and /metrics listen).
 */
import type { AgentControl } from "../agents/control.js";
import type { Tick } from "./coordinator.js";
import type { EmbeddedSpec } from "./embedded.js";
import type { IntervalSnapshot } from "./protocol.js";

export interface RunOptions {
  /** Overrides the profile's servers. */
  servers?: string[];
  /** Monitoring URL of an external server, for the server figures. */
  monitorUrl?: string;
  signal: AbortSignal;
  /** Record histograms; off only to measure what recording costs. */
  record?: boolean;
  /** How to start the embedded server when none is named: from the user's config, another binary. */
  embedded?: EmbeddedSpec;
  /** Run the load on agents found through this control connection instead of on this host. */
  agents?: AgentControl;
}

export interface RunEvents {
  onPhase?(phase: "server" | "setup" | "run" | "teardown", detail: string): void;
  onTick?(tick: Tick): void;
  onInterval?(snapshot: IntervalSnapshot): void;
  /** A fault of the profile's timeline started or ended (detail: what it acts on, or why it failed). */
  onFault?(name: string, state: "start" | "end", detail: string): void;
}

/** Every listener gets every event (the progress line and the /metrics endpoint, say). */
export function combineEvents(...all: Array<RunEvents | undefined>): RunEvents {
  const present = all.filter((e): e is RunEvents => e !== undefined);
  return {
    onPhase: (phase, detail) => {
      for (const e of present) e.onPhase?.(phase, detail);
    },
    onTick: (tick) => {
      for (const e of present) e.onTick?.(tick);
    },
    onInterval: (snapshot) => {
      for (const e of present) e.onInterval?.(snapshot);
    },
    onFault: (name, state, detail) => {
      for (const e of present) e.onFault?.(name, state, detail);
    },
  };
}
