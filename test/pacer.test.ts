import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DONE, type Paced, Pacer, WAITING } from "../workers/pacer.js";

/** A member that means to send every `intervalMs`, `count` times, and notes each send's lag. */
function evenMember(clock: { relNow(): number }, intervalMs: number, count: number) {
  const lagsNs: number[] = [];
  let i = 0;
  const member: Paced & { lagsNs: number[] } = {
    lagsNs,
    pace() {
      const now = clock.relNow();
      while (i < count && i * intervalMs * 1e6 <= now) {
        lagsNs.push(now - i * intervalMs * 1e6);
        i++;
      }
      return i >= count ? DONE : i * intervalMs * 1e6;
    },
  };
  return member;
}

describe("open-loop pacer", () => {
  // Fake timers fire exactly on time, so what is asserted is the pacer's own arithmetic.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const clockFrom = (t0: number) => ({ startNs: 0, relNow: () => (Date.now() - t0) * 1e6 });

  it("wakes once per due send, never before it, and sleeps when nothing is due", async () => {
    const clock = clockFrom(Date.now());
    const pacer = new Pacer(clock);
    const member = evenMember(clock, 5, 200);
    pacer.add(member);
    await vi.advanceTimersByTimeAsync(2000);
    expect(member.lagsNs).toHaveLength(200);
    expect(Math.min(...member.lagsNs)).toBeGreaterThanOrEqual(0);
    // One wake for the first send, one per later send, and a few early ones while the learned timer
    // lateness (150 us to start with) decays to the fake timers' zero.
    expect(pacer.wakeups).toBeLessThanOrEqual(205);
    expect(Math.max(...member.lagsNs)).toBeLessThan(1e6);
  });

  it("wakes as often as the earliest member needs, not once per member", async () => {
    const clock = clockFrom(Date.now());
    const pacer = new Pacer(clock);
    // Ten members due at the same instants: one wake serves all.
    const members = Array.from({ length: 10 }, () => evenMember(clock, 10, 100));
    for (const m of members) pacer.add(m);
    await vi.advanceTimersByTimeAsync(1500);
    expect(members.every((m) => m.lagsNs.length === 100)).toBe(true);
    expect(pacer.wakeups).toBeLessThanOrEqual(110);
  });

  it("sets no timer for a member that waits for its window, and serves it when woken", async () => {
    const clock = clockFrom(Date.now());
    const pacer = new Pacer(clock);
    let state: "waiting" | "open" = "waiting";
    let served = 0;
    pacer.add({
      pace: () => {
        served++;
        return state === "waiting" ? WAITING : DONE;
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(served).toBe(1);
    state = "open";
    pacer.wake();
    await vi.advanceTimersByTimeAsync(1);
    expect(served).toBe(2);
  });
});
