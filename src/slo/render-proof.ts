/** What replaying runs through the alert rules showed, for people and for scripts. Pure. */
import Table from "cli-table3";
import { type AlertOutcome, alertText, type RunProof } from "./alert-proof.js";

/** Everything `benchline slo --tests` found, and where its files went. */
export interface ProofReport {
  rulesFile: string;
  testsFile: string;
  /** Prometheus seconds each run second took in the replay. */
  replayStepS: number;
  runs: RunProof[];
  passed: boolean;
}

const spans = (a: AlertOutcome) =>
  a.firingS.length === 0
    ? "silent"
    : a.firingS.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(", ");

function renderRun(p: RunProof, stepS: number): string {
  const t = new Table({
    head: ["alert", "severity", "fires at", "firing (s from measured start)"],
    style: { head: [], border: [], compact: true },
  });
  for (const a of p.alerts)
    t.push([
      alertText(a),
      a.labels.severity ?? "",
      a.firstFiringS === undefined ? "-" : `${a.firstFiringS} s`,
      spans(a),
    ]);
  const faults = p.faults.map(
    (f) =>
      `  fault ${f.name} (${f.kind}): ${f.fromS}-${f.toS} s from the start of the measured phase, no publish answered for ${(f.unavailableMs / 1000).toFixed(1)} s${f.outage ? " (an outage)" : ""}`,
  );
  return [
    `${p.file}: ${p.profile}, ${p.seconds} s replayed (warmup included), one run second as ${stepS} s of Prometheus time${p.complete ? "" : " (the run was incomplete)"}; times in seconds from the start of the measured phase`,
    ...(faults.length > 0 ? faults : ["  no faults"]),
    t.toString(),
    `${p.passed ? "ok" : "FAILED"}: ${p.verdict}`,
    "",
  ].join("\n");
}

export function renderProofTable(r: ProofReport): string {
  return [
    ...r.runs.map((p) => renderRun(p, r.replayStepS)),
    `rules: ${r.rulesFile}; promtool test: ${r.testsFile} (check with: promtool test rules ${r.testsFile})`,
    "",
  ].join("\n");
}

export function renderProofJson(r: ProofReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
