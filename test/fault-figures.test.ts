import { describe, expect, it } from "vitest";
import type { FaultSpec } from "../src/contract/faults.js";
import { createCounters, type ThreadResult } from "../src/engine/protocol.js";
import { checkAckedLoss } from "../src/faults/acked-loss.js";
import { intersectGaps, longestGapMs } from "../src/faults/availability.js";
import { faultFigures } from "../src/faults/figures.js";
import { recovery } from "../src/faults/recovery.js";
import { latencyWindows } from "../src/faults/windows.js";
import { ThreadRecorder } from "../workers/recorder.js";

const bits = (...seqs: number[]) => {
  const b = new Uint8Array(8);
  for (const s of seqs) b[s >> 3]! |= 1 << (s & 7);
  return b;
};

describe("unavailability", () => {
  it("is where every publishing thread had no success at once", () => {
    const a: Array<[number, number]> = [
      [1e9, 4e9],
      [6e9, 7e9],
    ];
    const b: Array<[number, number]> = [[2e9, 5e9]];
    expect(intersectGaps([a, b])).toEqual([[2e9, 4e9]]);
    // One thread that kept succeeding means the system was available.
    expect(intersectGaps([a, []])).toEqual([]);
  });

  it("counts from the fault's start and stops at the end of the measured phase", () => {
    const gaps: Array<[number, number]> = [
      [1e9, 3.5e9],
      [8e9, 20e9],
    ];
    expect(longestGapMs(gaps, 2e9, 10e9)).toBe(2000);
    // Publishers stop at the end: the quiet after it is no outage.
    expect(longestGapMs(gaps, 7e9, 9e9)).toBe(1000);
    expect(longestGapMs(gaps, 4e9, 7e9)).toBe(0);
  });
});

describe("recovery", () => {
  // 100 ms ticks: 100 successes a tick (1,000/s) for 5 s, nothing for 2 s (the fault), then a
  // catch-up burst at 3,000/s for a second, then 1,000/s again.
  const ticks = [
    ...Array(50).fill(100),
    ...Array(20).fill(0),
    ...Array(10).fill(300),
    ...Array(50).fill(100),
  ];
  const p99 = Array(13).fill(2000);

  it("waits for a whole second within 10% of the rate before the fault", () => {
    const r = recovery({
      successesPerTick: ticks,
      p99UsPerSecond: p99,
      faultStartMs: 5000,
      faultEndMs: 7000,
      baselineFromMs: 0,
      untilMs: 13000,
    });
    // The catch-up second is 3x the rate; the first good whole second starts at 8.0 s.
    expect(r).toMatchObject({ recovered: true, recoveryMs: 1000, beforePerSec: 1000, beforeP99Us: 2000 });
  });

  it("also waits for p99 back within twice what it was", () => {
    const slow = [...p99];
    slow[8] = 5000;
    slow[9] = 4100;
    const r = recovery({
      successesPerTick: ticks,
      p99UsPerSecond: slow,
      faultStartMs: 5000,
      faultEndMs: 7000,
      baselineFromMs: 0,
      untilMs: 13000,
    });
    expect(r.recoveryMs).toBe(3000);
  });

  it("says so when it never recovered, or had no level to recover to", () => {
    const dead = [...Array(50).fill(100), ...Array(80).fill(0)];
    expect(
      recovery({
        successesPerTick: dead,
        p99UsPerSecond: p99,
        faultStartMs: 5000,
        faultEndMs: 6000,
        baselineFromMs: 0,
        untilMs: 13000,
      }),
    ).toMatchObject({ recovered: false, beforePerSec: 1000 });
    const early = recovery({
      successesPerTick: ticks,
      p99UsPerSecond: p99,
      faultStartMs: 500,
      faultEndMs: 1000,
      baselineFromMs: 0,
      untilMs: 13000,
    });
    expect(early.recovered).toBe(false);
    expect(early.note).toMatch(/less than a second of the measured phase before the fault/);
  });
});

describe("the acked-loss check", () => {
  it("finds acknowledged messages missing from the stream, and only those", () => {
    const report = checkAckedLoss(
      [
        // Sent 0..5; 0..3 acked at stream sequences 10..13; 4 and 5 timed out, and 5 was stored anyway.
        { publisherId: 0, sent: 6, acknowledged: bits(0, 1, 2, 3), streamSeqs: [10, 11, 12, 13, 0, 0] },
        { publisherId: 1, sent: 2, acknowledged: bits(0, 1), streamSeqs: [14, 15] },
      ],
      {
        present: new Map([
          [0, bits(1, 3, 5, 7)],
          [1, bits(0, 1)],
          [9, bits(0)],
        ]),
        foreign: 2,
        firstSeq: 11,
        streamExists: true,
      },
    );
    // 0 (stream seq 10) is below the first the stream keeps: its limits removed it. 2 is lost.
    expect(report).toEqual({
      acknowledged: 6,
      lost: 1,
      removedByLimits: 1,
      recovered: 1,
      // Publisher 0 never sent 7; publisher 9 is not of this run; two messages had no benchline header.
      unexpected: 4,
      lostSample: ["0:2"],
    });
  });

  it("counts everything acknowledged as lost when the stream is gone", () => {
    const report = checkAckedLoss(
      [{ publisherId: 0, sent: 3, acknowledged: bits(0, 1, 2), streamSeqs: [1, 2, 3] }],
      { present: new Map(), foreign: 0, firstSeq: 0, streamExists: false },
    );
    expect([report.lost, report.removedByLimits]).toEqual([3, 0]);
  });
});

describe("fault latency windows", () => {
  it("puts before, during and after each fault, never into the warmup or another fault", () => {
    const s = 1e9;
    const windows = latencyWindows(
      [
        { name: "a", kind: "pause", target: 1, atMs: 3000, forMs: 2000 },
        { name: "b", kind: "stepdown", target: "streamLeader", of: "stream", atMs: 7000, forMs: 0 },
      ],
      2 * s,
      20 * s,
    );
    expect(windows).toEqual([
      [2 * s, 5 * s],
      [5 * s, 7 * s],
      [7 * s, 9 * s],
      [7 * s, 9 * s],
      // An instant gets a second of its own.
      [9 * s, 10 * s],
      [10 * s, 20 * s],
    ]);
  });
});

describe("a fault window's figures never hide failures", () => {
  const s = 1e9;
  const spec: FaultSpec = {
    name: "leader-down",
    kind: "kill",
    target: "streamLeader",
    atMs: 5000,
    forMs: 5000,
  };
  const warmupNs = 1 * s;
  const measureEndNs = 20 * s;

  /** One thread's PubAcks of a leader kill at 6-11 s: most sends meant for the outage fail. */
  function thread(): ThreadResult {
    const timing = {
      warmupNs,
      measureEndNs,
      lateSendThresholdUs: 2000,
      latencyWindows: latencyWindows([spec], warmupNs, measureEndNs),
    };
    const rec = new ThreadRecorder(0, true, timing, createCounters(1));
    for (let i = 0; i < 100; i++) rec.recordIntended("pubAck", 2000, 3 * s + i * 1e6);
    // During: 20 PubAcks at 7 ms, 70 at once refused (503, 1 ms), 10 timed out after 2 s.
    for (let i = 0; i < 20; i++) rec.recordIntended("pubAck", 7000, 7 * s + i * 1e6);
    for (let i = 0; i < 70; i++) rec.recordIntended("pubAck", 1000, 8 * s + i * 1e6, true);
    for (let i = 0; i < 10; i++) rec.recordIntended("pubAck", 2_000_000, 9 * s + i * 1e6, true);
    for (let i = 0; i < 100; i++) rec.recordIntended("pubAck", 3000, 14 * s + i * 1e6);
    return {
      thread: 0,
      clients: [],
      histograms: {},
      errors: {},
      reconnects: 0,
      permissionViolations: 0,
      windowHistograms: rec.windowHistograms(),
    };
  }

  it("counts failed operations in the window's latency, at their time to failure, and the share that succeeded", () => {
    const [f] = faultFigures({
      records: [{ spec, fired: true, startNs: 6 * s, endNs: 11 * s }],
      threads: [thread()],
      snapshots: [],
      warmupNs,
      measureEndNs,
      errorGraceNs: 2 * s,
      latencyKind: "pubAck",
    });
    expect(f!.atS).toBe(5);
    // 100 operations meant for the outage: the 80 failures are in the percentiles, not left out.
    expect(f!.latency.during).toMatchObject({ count: 100, p50Us: 1000 });
    expect(f!.latency.during!.p99Us).toBeGreaterThan(1_990_000);
    expect(f!.operations).toEqual({
      before: { succeeded: 100, failed: 0, successRatio: 1 },
      during: { succeeded: 20, failed: 80, successRatio: 0.2 },
      after: { succeeded: 100, failed: 0, successRatio: 1 },
    });
    expect(f!.latency.before).toMatchObject({ count: 100, minUs: 2000 });
    expect(f!.latency.after).toMatchObject({ count: 100, minUs: 3000 });
  });
});
