import { describe, expect, it } from "vitest";
import { createCounters, failedKey } from "../src/engine/protocol.js";
import { decodeHistogram } from "../src/metrics/histogram.js";
import { monotonicOffsetNs, ThreadRecorder } from "../workers/recorder.js";

const timing = { warmupNs: 0, measureEndNs: Number.POSITIVE_INFINITY, lateSendThresholdUs: 2000 };

describe("ThreadRecorder", () => {
  it("keeps measured samples for the run and every sample for the second's snapshot", () => {
    const rec = new ThreadRecorder(0, true, { ...timing, warmupNs: 1e9 }, createCounters(1));
    rec.record("e2e", 100, false);
    rec.record("e2e", 200, true);
    rec.record("e2e", 300, true);
    const snap = rec.snapshot(0);
    expect(decodeHistogram(snap.histograms.e2e!).totalCount).toBe(3);
    expect(decodeHistogram(rec.finalHistograms().e2e!).totalCount).toBe(2);
    // The next second starts empty; the run total keeps growing.
    rec.record("e2e", 400, true);
    expect(decodeHistogram(rec.snapshot(1).histograms.e2e!).totalCount).toBe(1);
    expect(decodeHistogram(rec.finalHistograms().e2e!).totalCount).toBe(3);
  });

  it("reports an aliased kind under both names, recorded once", () => {
    const rec = new ThreadRecorder(0, true, timing, createCounters(1));
    rec.aliases.set("pubAckRaw", "pubAck");
    rec.record("pubAck", 150, true);
    const snap = rec.snapshot(0);
    expect(snap.histograms.pubAckRaw).toBe(snap.histograms.pubAck);
    const final = rec.finalHistograms();
    expect(final.pubAckRaw).toBe(final.pubAck);
    expect(decodeHistogram(final.pubAckRaw!).totalCount).toBe(1);
  });

  it("records nothing when recording is off (to measure what recording costs)", () => {
    const rec = new ThreadRecorder(0, false, timing, createCounters(1));
    rec.record("e2e", 100, true);
    rec.snapshot(0);
    expect(rec.finalHistograms()).toEqual({});
  });
});

describe("ThreadRecorder in a fault run", () => {
  const s = 1e9;
  const faultTiming = { ...timing, latencyWindows: [[2 * s, 4 * s]] as Array<[number, number]> };

  it("keeps failures in the fault window at their time to failure, and apart by failedKey", () => {
    const rec = new ThreadRecorder(0, true, faultTiming, createCounters(1));
    rec.recordIntended("pubAck", 5000, 2.5 * s);
    rec.recordIntended("pubAck", 2_000_000, 3 * s, true);
    rec.recordIntended("pubAck", 900, 1 * s);
    const [window] = rec.windowHistograms()!;
    expect(decodeHistogram(window!.pubAck!).totalCount).toBe(2);
    expect(decodeHistogram(window![failedKey("pubAck")]!).totalCount).toBe(1);
  });

  it("hands over each second of intended send time, successes and failures apart, once settled", () => {
    const rec = new ThreadRecorder(0, true, faultTiming, createCounters(1));
    rec.recordIntended("pubAck", 5000, 1.2 * s);
    rec.recordIntended("pubAck", 1000, 1.7 * s, true);
    rec.recordIntended("e2e", 7000, 5.5 * s);
    // Second 1 is held while its operations may still complete...
    expect(rec.snapshot(3).intended).toBeUndefined();
    // ...and handed over three seconds after it ended.
    const parts = rec.snapshot(4).intended!;
    expect(parts.map((p) => [p.index, p.kind, p.failed ?? false])).toEqual([
      [1, "pubAck", false],
      [1, "pubAck", true],
    ]);
    expect(decodeHistogram(parts[0]!.hdr).maxValue).toBeGreaterThanOrEqual(5000);
    // A completion after the handover starts the second afresh, as another part; the last snapshot
    // hands over every second still held.
    rec.recordIntended("pubAck", 9000, 1.9 * s);
    const last = rec.snapshot(5, true).intended!;
    expect(last.map((p) => [p.index, p.kind]).sort()).toEqual([
      [1, "pubAck"],
      [5, "e2e"],
    ]);
  });

  it("keeps nothing by intended time outside fault runs", () => {
    const rec = new ThreadRecorder(0, true, timing, createCounters(1));
    rec.recordIntended("pubAck", 5000, 1.2 * s, true);
    expect(rec.snapshot(9, true).intended).toBeUndefined();
    expect(rec.windowHistograms()).toBeUndefined();
  });
});

describe("the recorder's clock", () => {
  it("reads process.hrtime's clock from performance.now(), to within microseconds", () => {
    const offset = monotonicOffsetNs();
    const diffs: number[] = [];
    for (let i = 0; i < 50; i++) {
      const before = Number(process.hrtime.bigint());
      const ours = performance.now() * 1e6 + offset;
      const after = Number(process.hrtime.bigint());
      diffs.push(Math.max(before - ours, ours - after, 0));
    }
    // Between two hrtime reads, ours lies within them but for the offset's error; the median pair is tight.
    diffs.sort((a, b) => a - b);
    expect(diffs[25]).toBeLessThan(20_000);
  });
});
