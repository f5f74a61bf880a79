/** What a compare produced (schema "benchline/compare@1"): the one input of every compare reporter. */
import type { RunEnv } from "../contract/env.js";
import type { ThresholdCheck } from "../contract/thresholds.js";
import type { MetricComparison } from "./compare.js";
import type { MachineControlReport } from "./machine-control.js";

export const COMPARE_SCHEMA = "benchline/compare@1";

export interface CompareReport {
  schema: typeof COMPARE_SCHEMA;
  createdAt: string;
  baseline: {
    file: string;
    profile: string;
    profileHash: string;
    createdAt: string;
    runs: number;
    env: RunEnv;
  };
  candidate: { source: "rerun" | "files"; runs: number; profileHash: string; env?: RunEnv; files?: string[] };
  /** Set by `benchline ab`: the baseline is side A, the candidate side B, run in this order (e.g. "ABBAAB"). */
  ab?: { a: string; b: string; rounds: number; order: string };
  alpha: number;
  metrics: MetricComparison[];
  /** The profile's thresholds, checked against the candidates' medians. */
  thresholds: ThresholdCheck[];
  warnings: string[];
  /**
   * Per latency kind, the histograms of all baseline runs and of all candidate runs, each merged, for the
   * percentile charts. Absent in reports written before charts existed.
   */
  distributions?: Array<{ kind: string; baselineHdr: string; candidateHdr: string }>;
  /** Whether latency was compared at the baseline's machine speed, and how the machine moved (absent before it). */
  machineControl?: MachineControlReport;
  /** What the verdicts can resolve: the power they are stated at, --detect, and how --resolution stopped. */
  resolution?: { power: number; detect?: number; stop?: SequentialStop };
  /** Metrics whose verdict is "regressed". */
  regressed: string[];
  /** No regression and no threshold breached. */
  passed: boolean;
}

/** How a run-until-resolved series stopped. Changes are fractions. */
export interface SequentialStop {
  /** resolved: every metric within the target; regressed: a boundary crossed; max-repeat: out of runs. */
  reason: "resolved" | "regressed" | "max-repeat";
  target: number;
  /** The worst metric's resolution at the stop; null when some metric could not be tested at all. */
  reached: number | null;
  looks: number;
  /** Candidate runs (ab: rounds) made. */
  runs: number;
  maxRuns: number;
  /** Information at the stop over that at the most runs: the share of alpha spent is alpha(this). */
  informationFraction: number;
  spending: string;
}
