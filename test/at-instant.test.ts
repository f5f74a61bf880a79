import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { atInstant, untilInstant } from "../src/util/time.js";

/** A clock that reads the given values, one a call, then stays on the last. */
function scriptedClock(readings: number[]) {
  let i = 0;
  return { relNow: () => readings[Math.min(i++, readings.length - 1)]! };
}

describe("atInstant, untilInstant", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("calls at once when the clock is past the instant", () => {
    const fn = vi.fn();
    atInstant(scriptedClock([5]), 0, fn);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("waits again when the timer fires before the instant (libuv's whole milliseconds)", () => {
    const fn = vi.fn();
    // 1.5 ms left: a 2 ms timer; it fires while the clock still reads 0.2 ms early: a 1 ms timer more.
    atInstant(scriptedClock([-1_500_000, -200_000, 10]), 0, fn);
    vi.advanceTimersByTime(2);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("never calls once cancelled", () => {
    const fn = vi.fn();
    const cancel = atInstant(scriptedClock([-3_000_000, 10]), 0, fn);
    cancel();
    vi.advanceTimersByTime(10);
    expect(fn).not.toHaveBeenCalled();
  });

  it("untilInstant resolves once the clock reads the instant, not when the timer first fires", async () => {
    let resolved = false;
    const done = untilInstant(scriptedClock([-2_000_000, -500_000, 0]), 0).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(2);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(resolved).toBe(true);
  });
});
