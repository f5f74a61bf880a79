import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { collectWarnings } from "../src/engine/warnings.js";
import { faultBands } from "../src/report/charts/run-charts.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { resilienceRows } from "../src/report/resilience-rows.js";
import { renderTable } from "../src/report/table.js";
import { fixtureBlock, fixtureCounts, fixtureRun } from "./fixtures/run-result.js";

function faultRun(): RunResult {
  const run = fixtureRun();
  return {
    ...run,
    counts: fixtureCounts({ lostAcked: 0, reconnects: 1 }),
    faults: [
      {
        name: "leader-down",
        kind: "kill",
        target: "streamLeader",
        node: { index: 2, name: "benchline-n2" },
        fired: true,
        atS: 6.019,
        forS: 5,
        unavailableMs: 4680,
        recoveryMs: 81,
        recovered: true,
        errors: { noResponders: 9350 },
        reconnects: 1,
        reconnectMs: [5],
        latency: {
          kind: "pubAck",
          before: fixtureBlock({ p50Us: 2000, p99Us: 35_650 }),
          during: fixtureBlock({ p50Us: 3000, p99Us: 7220 }),
          after: fixtureBlock({ p50Us: 2500, p99Us: 30_850 }),
        },
        operations: {
          before: { succeeded: 10_000, failed: 0, successRatio: 1 },
          during: { succeeded: 1861, failed: 8139, successRatio: 0.1861 },
          after: { succeeded: 17_990, failed: 10, successRatio: 0.99944 },
        },
      },
      {
        name: "late",
        kind: "pause",
        target: 1,
        fired: false,
        recovered: false,
        errors: {},
        reconnects: 0,
        reconnectMs: [],
        latency: {},
      },
    ],
    readBack: {
      stream: "BENCH",
      messages: 34_633,
      acknowledged: 34_633,
      lost: 0,
      removedByLimits: 0,
      recovered: 0,
      unexpected: 0,
      lostSample: [],
      streamGone: false,
    },
  };
}

describe("the resilience section", () => {
  it("has a row per fault and the acked-loss check", () => {
    const r = resilienceRows(faultRun())!;
    expect(r.rows).toEqual([
      [
        "leader-down (kill)",
        "node 2 (benchline-n2)",
        "6.019s / 5s",
        "4.68s",
        "81.00ms",
        "noResponders 9350",
        "1 (longest 5.00ms)",
        // Failures are in the percentiles; the share that succeeded stands beside, floored.
        "35.65ms (100%) / 7.22ms (18.6%) / 30.85ms (99.9%)",
      ],
      ["late (pause)", "1", "not fired", "-", "-", "-", "-", "the run ended first"],
    ]);
    expect(r.head[2]).toBe("at / for (from measured start)");
    expect(r.head[7]).toBe("pubAck p99 before / during / after (share succeeded)");
    expect(r.loss).toBe(
      "acked-loss check (BENCH read back after the drain, 34633 messages): 0 of 34633 acknowledged, then gone from the stream; 0 removed by the stream's limits; 0 sent, not acknowledged, 0 of them stored anyway; 0 acknowledged, not consumed",
    );
  });

  it("appears in the table and in summary.md, with lostAcked among the counts", () => {
    const run = faultRun();
    const table = renderTable(run);
    expect(table).toMatch(/leader-down \(kill\) .* node 2 \(benchline-n2\)/);
    expect(table).toMatch(/acknowledged, then gone from the stream +│ 0/);
    const md = renderMarkdown(run);
    expect(md).toContain(
      "| leader-down (kill) | node 2 (benchline-n2) | 6.019s / 5s | 4.68s | 81.00ms | noResponders 9350 | 1 (longest 5.00ms) | 35.65ms (100%) / 7.22ms (18.6%) / 30.85ms (99.9%) |",
    );
    expect(md).toContain("## Resilience");
  });

  it("says a stream that is gone lost everything it acknowledged, and a fault that never recovered", () => {
    const run = faultRun();
    run.readBack = { ...run.readBack!, streamGone: true, lost: 2999, acknowledged: 2999, messages: 0 };
    run.faults![0] = { ...run.faults![0]!, recovered: false, recoveryMs: undefined };
    const r = resilienceRows(run)!;
    expect(r.loss).toBe(
      "acked-loss check: the stream BENCH is gone: 2999 of 2999 acknowledged, then gone from the stream",
    );
    expect(r.rows[0]![4]).toBe("NOT RECOVERED");
  });

  it("a stream that could not be read back is said so: a warning and the row, and no figure of loss", () => {
    const run = faultRun();
    run.readBack = { ...run.readBack!, error: "stream info for BENCH: TIMEOUT (46 attempts in 45 s)" };
    delete run.counts.lostAcked;
    expect(resilienceRows(run)!.loss).toBe(
      "acked-loss check: the stream BENCH could not be read back (stream info for BENCH: TIMEOUT (46 attempts in 45 s))",
    );
    expect(collectWarnings(run, run.profile)).toContain(
      "the stream BENCH could not be read back (stream info for BENCH: TIMEOUT (46 attempts in 45 s)): whether acknowledged messages are gone is not known",
    );
    expect(renderTable(run)).not.toMatch(/then gone from the stream/);
  });

  it("shades each fault that fired on the over-time charts at the table's seconds (measured phase)", () => {
    const run = faultRun();
    expect(faultBands(run)).toEqual([
      {
        from: 6.019,
        to: 11.019,
        label: "leader-down",
        color: "rgba(214,39,40,0.15)",
      },
    ]);
  });
});

describe("one vocabulary for loss", () => {
  /** The failover run: 3 acknowledged messages no consumer got, all of them in the stream. */
  function failoverRun(over: { lost?: number; lostAcked?: number } = {}): RunResult {
    const run = faultRun();
    const lostAcked = over.lostAcked ?? 0;
    run.counts = fixtureCounts({
      published: 44_000,
      acked: 35_861,
      consumed: 35_858 + 2,
      lost: over.lost ?? 3,
      lostAcked,
      publishErrors: { noResponders: 8139 },
    });
    run.readBack = {
      ...run.readBack!,
      acknowledged: 35_861,
      messages: 35_863 - lostAcked,
      lost: lostAcked,
      lostSample: lostAcked > 0 ? ["0:17"] : [],
      recovered: 2,
    };
    return run;
  }

  it("the counts, the warnings and the acked-loss check name the same things with the same numbers", () => {
    const run = failoverRun();
    const table = renderTable(run);
    expect(table).toMatch(/│ acked +│ 35861 +│/);
    expect(table).toMatch(/│ sent, not acknowledged +│ 8139 +│/);
    expect(table).toMatch(/│ acknowledged, not consumed +│ 3 +│/);
    expect(table).toMatch(/│ acknowledged, then gone from the stream +│ 0 +│/);
    expect(resilienceRows(run)!.loss).toBe(
      "acked-loss check (BENCH read back after the drain, 35863 messages): 0 of 35861 acknowledged, then gone from the stream; 0 removed by the stream's limits; 8139 sent, not acknowledged, 2 of them stored anyway; 3 acknowledged, not consumed (all in the stream: delivered late or not at all, not gone)",
    );
    const warnings = collectWarnings(run, run.profile);
    expect(warnings).toContain(
      "3 messages acknowledged, not consumed: no consumer received them by the end of the drain, yet the stream held every acknowledged message when read back, so none is gone (delivered late or not at all)",
    );
    expect(warnings).toContain(
      "8139 publishes failed (messages sent, not acknowledged): 8139 noResponders (nothing listens on the subject (503 no responders: no stream captures it, or no service)); 2 of them the stream stored anyway (in it when read back)",
    );
    // "lost" alone, which once meant two different things on one screen, is gone from every line.
    for (const text of [table, renderMarkdown(run), ...warnings]) expect(text).not.toMatch(/\blost\b/);
  });

  it("acknowledged messages gone from the stream are said so, in the same words everywhere", () => {
    const run = failoverRun({ lost: 5, lostAcked: 4 });
    const warnings = collectWarnings(run, run.profile);
    expect(warnings).toContain(
      "5 messages acknowledged, not consumed: no consumer received them by the end of the drain",
    );
    expect(warnings).toContain(
      "4 messages acknowledged, then gone from the stream: not in it when read back after the run",
    );
    expect(renderTable(run)).toMatch(/│ acknowledged, then gone from the stream +│ 4 +│/);
    expect(resilienceRows(run)!.loss).toContain(
      "4 of 35861 acknowledged, then gone from the stream (e.g. 0:17)",
    );
  });
});
