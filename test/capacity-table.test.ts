import { describe, expect, it } from "vitest";
import type { CapacityResult, CapacityStep } from "../src/engine/capacity.js";
import { renderCapacityMarkdown } from "../src/report/capacity-markdown.js";
import { renderCapacityTable } from "../src/report/capacity-table.js";
import { fixtureRun } from "./fixtures/run-result.js";

const step = (
  index: number,
  target: number,
  good: boolean,
  over: Partial<CapacityStep> = {},
): CapacityStep => ({
  index,
  phase: index < 2 ? "ramp" : "bisect",
  targetPerSec: target,
  achievedPerSec: target,
  consumedPerSec: target,
  backlogGrowth: 0,
  latencyKind: "e2e",
  p50Us: 300,
  p99Us: 5000,
  objectives: [],
  good,
  reasons: good ? [] : ["consumers fell behind by 900 messages"],
  generatorLimited: false,
  latency: {},
  ...over,
});

const result = (steps: CapacityStep[]): CapacityResult => ({
  schema: "benchline/capacity@1",
  complete: true,
  profile: fixtureRun().profile,
  startedAt: "2026-11-22T10:00:00.000Z",
  settings: { startPerSec: 1000, maxPerSec: 1e6, stepDurationS: 5, precision: 0.05, objectives: [] },
  steps,
  maxGoodPerSec: Math.max(...steps.filter((s) => s.good).map((s) => s.targetPerSec)),
  firstBadPerSec: Math.min(...steps.filter((s) => !s.good).map((s) => s.targetPerSec)),
});

describe("capacity answer", () => {
  it("names the deployment's limit when the server or consumers failed", () => {
    const text = renderCapacityTable(result([step(0, 1000, true), step(1, 2000, false)]));
    expect(text.trim().split("\n").at(-1)).toBe("capacity: 1000 msgs/s sustained; 2000 msgs/s was not");
    // The latency kind is named once, in the header, not beside every p50.
    expect(text).toMatch(/│ e2e p50 +│ e2e p99 +│/);
    expect(text).toMatch(/│ 300us +│ 5.00ms +│/);
  });

  it("says when the generator fell behind at the failing rate as well as the deployment", () => {
    const behind = step(1, 2000, false, {
      reasons: [
        "consumers fell behind by 900 messages",
        "the load generator fell behind (sendLag p95 40 ms): a limit of benchline here, not of the server",
      ],
    });
    const text = renderCapacityTable(result([step(0, 1000, true), behind]));
    expect(text.trim().split("\n").at(-1)).toBe(
      "capacity: 1000 msgs/s sustained; 2000 msgs/s was not (benchline's load generator fell behind there too: the limit may be benchline's)",
    );
  });

  it("says when the limit was benchline's own load generator", () => {
    const behind = step(1, 2000, false, {
      generatorLimited: true,
      reasons: ["the load generator fell behind (sendLag p95 51 ms)"],
    });
    const text = renderCapacityTable(result([step(0, 1000, true), behind]));
    expect(text.trim().split("\n").at(-1)).toBe(
      "at least 1000 msgs/s sustained; at 2000 msgs/s benchline's load generator, not the deployment, fell behind: run it with more cores or from more hosts to look further",
    );
  });
});

describe("capacity verdicts", () => {
  it("state a broken objective with its value in the metric's unit, each reason on a line of its own", () => {
    const bad = step(1, 2000, false, {
      objectives: [
        { metric: "pubAck.p99", op: "<", limit: 50_000, text: "<50ms", actual: 51_103, passed: false },
        { metric: "pubAck.p50", op: "<", limit: 50_000, text: "<50ms", actual: 900, passed: true },
      ],
      reasons: ["achieved 1900 of 2000 msgs/s", "pubAck.p99 <50ms broken (51103)"],
    });
    const r = result([step(0, 1000, true), bad]);
    const rows = renderCapacityTable(r).split("\n");
    expect(
      rows
        .filter((l) => l.includes("bad:") || l.includes("pubAck.p99"))
        .map((l) => l.split("│").at(-2)!.trim()),
    ).toEqual(["bad: achieved 1900 of 2000 msgs/s;", "pubAck.p99 was 51.10ms, objective <50ms"]);
    expect(renderCapacityMarkdown(r)).toContain(
      "| bad: achieved 1900 of 2000 msgs/s; pubAck.p99 was 51.10ms, objective <50ms |",
    );
  });

  it("wrap in a verdict column of 60 characters", () => {
    const long = step(1, 2000, false, {
      reasons: [
        "the load generator fell behind (sendLag p95 160 ms): a limit of benchline here, not of the server",
      ],
    });
    const widest = Math.max(
      ...renderCapacityTable(result([step(0, 1000, true), long]))
        .split("\n")
        .filter((l) => /^[│┌├└]/.test(l))
        .map((l) => l.length),
    );
    expect(widest).toBeLessThanOrEqual(130);
  });
});
