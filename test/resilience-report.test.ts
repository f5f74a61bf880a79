import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/engine/result.js";
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
        "35.65ms / 7.22ms / 30.85ms",
      ],
      ["late (pause)", "1", "not fired", "-", "-", "-", "-", "the run ended first"],
    ]);
    expect(r.loss).toBe(
      "acked-loss check: 0 of 34633 acknowledged messages missing from BENCH; 0 removed by the stream's limits, 0 stored without an ack, 34633 read back",
    );
  });

  it("appears in the table and in summary.md, with lostAcked among the counts", () => {
    const run = faultRun();
    const table = renderTable(run);
    expect(table).toMatch(/leader-down \(kill\) .* node 2 \(benchline-n2\)/);
    expect(table).toMatch(/acknowledged, then lost +│ 0/);
    const md = renderMarkdown(run);
    expect(md).toContain(
      "| leader-down (kill) | node 2 (benchline-n2) | 6.019s / 5s | 4.68s | 81.00ms | noResponders 9350 | 1 (longest 5.00ms) | 35.65ms / 7.22ms / 30.85ms |",
    );
    expect(md).toContain("## Resilience");
  });

  it("says a stream that is gone lost everything it acknowledged, and a fault that never recovered", () => {
    const run = faultRun();
    run.readBack = { ...run.readBack!, streamGone: true, lost: 2999, acknowledged: 2999, messages: 0 };
    run.faults![0] = { ...run.faults![0]!, recovered: false, recoveryMs: undefined };
    const r = resilienceRows(run)!;
    expect(r.loss).toBe(
      "acked-loss check: the stream BENCH is gone; all 2999 acknowledged messages are lost",
    );
    expect(r.rows[0]![4]).toBe("NOT RECOVERED");
  });

  it("shades each fault that fired on the over-time charts, from the start instant", () => {
    const run = faultRun();
    expect(faultBands(run)).toEqual([
      {
        from: run.profile.warmupMs / 1000 + 6.019,
        to: run.profile.warmupMs / 1000 + 11.019,
        label: "leader-down",
        color: "rgba(214,39,40,0.15)",
      },
    ]);
  });
});
