import { describe, expect, it } from "vitest";
import { parseObjective } from "../src/commands/capacity.js";
import { parseNoise } from "../src/commands/verdict-options.js";

describe("--slo objectives", () => {
  it.each([
    ["pubAck.p99<20ms", "pubAck.p99", "<", 20_000],
    ["e2e.p99 <= 5ms", "e2e.p99", "<=", 5000],
    ["throughput.publishedPerSec>=9000", "throughput.publishedPerSec", ">=", 9000],
  ])("%s", (text, metric, op, limit) => {
    expect(parseObjective(text)).toMatchObject({ metric, op, limit });
  });

  it("refuses what it cannot read", () => {
    expect(() => parseObjective("fast")).toThrow('--slo fast: write METRIC OP VALUE, e.g. "pubAck.p99<20ms"');
  });
});

describe("--noise", () => {
  it("takes a global percentage and per-metric ones", () => {
    const noise = parseNoise(["10", "e2e.p99=25", "pubAck.p50=7.5%"]);
    expect([noise("e2e.p99"), noise("pubAck.p50"), noise("pubAck.p99")]).toEqual([0.25, 0.075, 0.1]);
    expect(parseNoise([])("e2e.p50")).toBe(0.05);
  });

  it("refuses an unknown metric", () => {
    expect(() => parseNoise(["e2e.p42=5"])).toThrow("--noise e2e.p42=5: unknown metric e2e.p42");
  });
});
