import { describe, expect, it } from "vitest";
import { createCounters } from "../src/engine/protocol.js";
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
