/** What a compare's two sides are called in its reports: baseline and candidate, or A and B for `benchline ab`. */
import type { CompareReport } from "../baseline/report-model.js";

export interface SideLabels {
  /** "benchline compare" or "benchline ab". */
  command: string;
  baseline: string;
  candidate: string;
  /** One sentence: what was run against what. */
  runs: string;
  /** What each side ran against, for a chart: A's and B's targets, or the baseline file and the reruns. */
  baselineTarget: string;
  candidateTarget: string;
  /** Both sides named by their targets, for a title: "A (x) vs B (y)", "baseline (file, ...) vs candidate (...)". */
  versus: string;
}

/** The server a side ran against, as the environment names it. */
const serverOf = (env: CompareReport["baseline"]["env"] | undefined) =>
  env?.serverVersion ? `nats-server ${env.serverVersion} on ${env.host}` : undefined;

export function sideLabels(report: CompareReport): SideLabels {
  const sides = sideTargets(report);
  return {
    ...sides,
    versus: `${sides.baseline} (${sides.baselineTarget}) vs ${sides.candidate} (${sides.candidateTarget})`,
  };
}

function sideTargets(report: CompareReport): Omit<SideLabels, "versus"> {
  const ab = report.ab;
  if (ab)
    return {
      command: "benchline ab",
      baseline: "A",
      candidate: "B",
      runs: `${report.candidate.runs} runs of B (${ab.b}) against ${report.baseline.runs} of A (${ab.a}), interleaved ${ab.order}`,
      baselineTarget: ab.a,
      candidateTarget: ab.b,
    };
  const candidateServer = serverOf(report.candidate.env);
  return {
    command: "benchline compare",
    baseline: "baseline",
    candidate: "candidate",
    runs: `${report.candidate.runs} candidate runs against ${report.baseline.runs} baseline runs (recorded ${report.baseline.createdAt})`,
    baselineTarget: [
      report.baseline.file,
      `recorded ${report.baseline.createdAt.slice(0, 10)}`,
      serverOf(report.baseline.env),
    ]
      .filter(Boolean)
      .join(", "),
    candidateTarget: [
      report.candidate.source === "files" ? "result files" : `run ${report.createdAt.slice(0, 10)}`,
      candidateServer,
    ]
      .filter(Boolean)
      .join(", "),
  };
}
