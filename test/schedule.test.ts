import { describe, expect, it } from "vitest";
import { openLoopSchedule } from "../workers/schedule.js";

describe("open-loop schedule", () => {
  it("spaces messages evenly at the rate", () => {
    const s = openLoopSchedule(0, 1e6);
    expect([0, 1, 2, 999].map(s.at)).toEqual([0, 1e6, 2e6, 999e6]);
    expect(s.dueBy(1e9)).toBe(1000);
    expect(s.dueBy(0)).toBe(0);
  });

  it("bursts: the rate for `on` at the start of every `every`, silence between", () => {
    // 1000 msgs/s for 100 ms every 1 s: 100 messages a burst, 100 msgs/s on average.
    const s = openLoopSchedule(0, 1e6, { onMs: 100, everyMs: 1000 });
    expect(s.at(0)).toBe(0);
    expect(s.at(99)).toBe(99e6);
    expect(s.at(100)).toBe(1e9);
    expect(s.at(250)).toBe(2e9 + 50e6);
    expect(s.dueBy(50e6)).toBe(50);
    expect(s.dueBy(500e6)).toBe(100);
    expect(s.dueBy(1e9 + 1)).toBe(101);
    expect(s.dueBy(10e9)).toBe(1000);
    // Every message's intended time is within an "on" window.
    for (let i = 0; i < 1000; i++) expect(s.at(i) % 1e9).toBeLessThan(100e6);
  });

  it("an instance's offset shifts its whole schedule", () => {
    const s = openLoopSchedule(5e5, 1e6, { onMs: 10, everyMs: 100 });
    expect(s.at(10)).toBe(100e6 + 5e5);
    expect(s.dueBy(5e5)).toBe(0);
  });
});
