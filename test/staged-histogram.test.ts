import { describe, expect, it } from "vitest";
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_HIGHEST_US,
  recordUs,
} from "../src/metrics/histogram.js";
import { lowestOfSlot, StagedHistogram, slotOf } from "../src/metrics/staged-histogram.js";

describe("StagedHistogram", () => {
  it("finds every value's slot where hdr-histogram-js counts it, and each slot's lowest value", () => {
    const h = createHistogram() as unknown as {
      countsArrayIndex(v: number): number;
      lowestEquivalentValue(v: number): number;
    };
    const probes = [
      1,
      2,
      1023,
      1024,
      2047,
      2048,
      2049,
      4095,
      4096,
      123_456,
      999_999,
      2 ** 25 + 7,
      HISTOGRAM_HIGHEST_US,
    ];
    for (let v = 1; v < 300_000; v += 37) probes.push(v);
    for (const v of probes) {
      expect(slotOf(v)).toBe(h.countsArrayIndex(v));
      expect(lowestOfSlot(slotOf(v))).toBe(h.lowestEquivalentValue(v));
    }
  });

  it("encodes, once flushed, exactly as recording each value into an HDR histogram does", () => {
    // Fractions, values under the lowest and over the highest trackable, sub-millisecond to seconds.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = [0, 0.4, 0.6, 1, 1.5, 2047.5, 2048, 9e7, Number.NaN];
    for (let i = 0; i < 50_000; i++) values.push(random() < 0.7 ? random() * 5_000 : random() * 3_000_000);
    const staged = new StagedHistogram();
    const direct = createHistogram();
    for (const v of values) {
      staged.record(v);
      recordUs(direct, v);
    }
    expect(staged.pending).toBe(values.length);
    const flushed = staged.flush();
    expect(staged.pending).toBe(0);
    expect(encodeHistogram(flushed)).toBe(encodeHistogram(direct));
    const a = decodeHistogram(encodeHistogram(flushed));
    expect(a.totalCount).toBe(values.length);
    for (const p of [0, 1, 10, 50, 90, 99, 99.9, 99.99, 100])
      expect(a.getValueAtPercentile(p)).toBe(direct.getValueAtPercentile(p));
  });

  it("counts nothing twice across flushes, and reset empties both the stage and the histogram", () => {
    const staged = new StagedHistogram();
    staged.record(100);
    staged.record(100);
    expect(staged.flush().totalCount).toBe(2);
    expect(staged.flush().totalCount).toBe(2);
    // A flushed slot starts again from zero.
    staged.record(100);
    expect(staged.flush().totalCount).toBe(3);
    staged.record(250);
    expect(staged.flush().getValueAtPercentile(100)).toBe(250);
    expect(staged.histogram.totalCount).toBe(4);
    staged.record(300);
    staged.reset();
    expect(staged.pending).toBe(0);
    expect(staged.flush().totalCount).toBe(0);
  });
});
