import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentClock, type ClockSample, estimateClock } from "../src/agents/clock.js";

/** A sample through a network whose legs took `outNs` and `backNs`, to an agent `offsetNs` ahead. */
function sample(sentNs: bigint, outNs: bigint, backNs: bigint, offsetNs: bigint): ClockSample {
  return { sentNs, agentNs: sentNs + outNs + offsetNs, receivedNs: sentNs + outNs + backNs };
}

describe("estimateClock", () => {
  it("finds the offset exactly when both legs take as long", () => {
    const e = estimateClock([sample(1_000_000n, 150_000n, 150_000n, 123_456_789n)]);
    expect(e).toEqual({ offsetNs: 123_456_789, errorNs: 150_000, rttNs: 300_000 });
  });

  it("keeps the sample with the shortest round trip", () => {
    const e = estimateClock([
      sample(0n, 5_000_000n, 100_000n, -42_000n),
      sample(10_000_000n, 60_000n, 40_000n, -42_000n),
      sample(20_000_000n, 900_000n, 900_000n, -42_000n),
    ]);
    expect(e.rttNs).toBe(100_000);
    expect(e.errorNs).toBe(50_000);
    // The one-way legs differed by 20 us, so the estimate is 10 us off: inside the bound.
    expect(e.offsetNs).toBe(-42_000 + 10_000);
  });

  it("is within its error bound of the true offset, whatever the delays", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.array(
          fc.tuple(fc.bigInt({ min: 0n, max: 50_000_000n }), fc.bigInt({ min: 0n, max: 50_000_000n })),
          {
            minLength: 1,
            maxLength: 16,
          },
        ),
        (offset, legs) => {
          const samples = legs.map(([out, back], i) =>
            sample(BigInt(i) * 100_000_000n + 10n ** 12n, out, back, offset),
          );
          const e = estimateClock(samples);
          expect(Math.abs(e.offsetNs - Number(offset))).toBeLessThanOrEqual(e.errorNs);
          expect(e.rttNs).toBe(Math.min(...legs.map(([o, b]) => Number(o + b))));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("agents on other hosts: an offset of days, with hrtime values far apart, stays exact", () => {
    const days = 3n * 86_400n * 10n ** 9n;
    const e = estimateClock([sample(5n * 10n ** 14n, 200_000n, 200_000n, days + 7n)]);
    expect(e.offsetNs).toBe(Number(days + 7n));
  });

  it("refuses no sample, or one received before it was sent", () => {
    expect(() => estimateClock([])).toThrow(new RangeError("no clock sample"));
    expect(() => estimateClock([{ sentNs: 10n, agentNs: 5n, receivedNs: 9n }])).toThrow(RangeError);
  });
});

describe("agentClock", () => {
  const measured = { offsetNs: 30_000, errorNs: 250_000, rttNs: 500_000 };

  it("on the coordinator's kernel: the same clock, offset 0 with no error", () => {
    expect(agentClock(measured, true)).toEqual({ offsetNs: 0, errorNs: 0, rttNs: 500_000, shared: true });
  });

  it("keeps the measurement on another kernel, or when it disagrees beyond its bound (a time namespace)", () => {
    expect(agentClock(measured, false)).toEqual({ ...measured, shared: false });
    const shifted = { offsetNs: 5_000_000_000, errorNs: 250_000, rttNs: 500_000 };
    expect(agentClock(shifted, true)).toEqual({ ...shifted, shared: false });
  });
});
