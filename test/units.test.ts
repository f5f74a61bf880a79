import { describe, expect, it } from "vitest";
import { formatBytes, formatUs, parseDurationMs, parseSizeBytes } from "../src/util/units.js";

describe("units", () => {
  it.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["1.5s", 1500],
    ["2m", 120_000],
    ["1h", 3_600_000],
    [5, 5000],
    ["7", 7000],
  ])("duration %j is %d ms", (input, ms) => {
    expect(parseDurationMs(input, "duration")).toBe(ms);
  });

  it("rejects a duration it cannot read, naming the field", () => {
    expect(() => parseDurationMs("soon", "warmup")).toThrow(
      'warmup: "soon" is not a duration; use e.g. "500ms", "30s", "2m"',
    );
    expect(() => parseDurationMs(-1, "drain")).toThrow("drain: -1 is not a duration");
  });

  it.each([
    [128, 128],
    ["128B", 128],
    ["1KiB", 1024],
    ["1kb", 1000],
    ["4MiB", 4 * 1024 * 1024],
  ])("size %j is %d bytes", (input, bytes) => {
    expect(parseSizeBytes(input, "size")).toBe(bytes);
  });

  it("rejects an unknown size unit", () => {
    expect(() => parseSizeBytes("3 parsecs", "size")).toThrow('size: "3 parsecs" is not a size');
  });

  it("formats microseconds and bytes for people", () => {
    expect([formatUs(999), formatUs(1500), formatUs(2_500_000)]).toEqual(["999us", "1.50ms", "2.50s"]);
    expect([formatBytes(512), formatBytes(1536), formatBytes(3 * 1024 * 1024)]).toEqual([
      "512 B",
      "1.5 KiB",
      "3.0 MiB",
    ]);
  });
});
