/**
 * Replaying runs through the SLO rules: the evaluator's arithmetic against Prometheus' own, the verdicts
 * on runs shaped after real ones, and `promtool test rules` agreeing with every prediction.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { faultBands } from "../src/report/charts/run-charts.js";
import { proveAlerts } from "../src/slo/alert-proof.js";
import { type DeriveOptions, deriveSlos } from "../src/slo/derive.js";
import { seriesNames } from "../src/slo/prometheus-names.js";
import { buildRules, renderRulesYaml, type SloRules } from "../src/slo/prometheus-rules.js";
import { renderProofTable } from "../src/slo/render-proof.js";
import { bucketQuantile, rateAt } from "../src/slo/rule-eval.js";
import { renderRuleTests } from "../src/slo/rule-tests.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { healthy, pausedRun, pauseFault, replayRun, type Second } from "./fixtures/replay-run.js";
import { tempDir } from "./helpers/tmp.js";

const PROMTOOL = "/usr/bin/promtool";
const MINUTE_MS = 60_000;
const options: DeriveOptions = { headroom: 1.25, targetPercent: 99.9, windowS: 28 * 86_400 };

function rulesOf(metrics?: string[], labels = ""): SloRules {
  const set = deriveSlos(fixtureBaseline(), "b.json", { ...options, metrics });
  return buildRules(set, seriesNames("benchline", labels), "benchline");
}

function prove(run: RunResult, rules = rulesOf(), stepMs = MINUTE_MS, labels: Record<string, string> = {}) {
  const names = seriesNames(
    "benchline",
    Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(","),
  );
  return proveAlerts(run, "run.json", { rules, names, labels, stepMs });
}

/** Writes the rules and the test file of these runs, and runs promtool on them. */
async function promtool(rules: SloRules, runs: RunResult[], stepMs = MINUTE_MS, labels = {}) {
  await using dir = await tempDir();
  const cases = runs.map((r, i) => {
    const w = prove(r, rules, stepMs, labels);
    return { name: `run ${i}`, series: w.series, timelines: w.timelines };
  });
  await writeFile(join(dir.path, "rules.yml"), renderRulesYaml(rules));
  await writeFile(
    join(dir.path, "rules.test.yml"),
    renderRuleTests("rules.yml", [rules.recordingGroup, rules.alertGroup], stepMs, cases),
  );
  const r = spawnSync(PROMTOOL, ["test", "rules", "rules.test.yml"], { cwd: dir.path, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("Prometheus' arithmetic", () => {
  const counter = [0, 60, 120, 180, 240, 300, 360];

  it("rate() over a full window: the increase over the range", () => {
    expect(rateAt(counter, 5, MINUTE_MS, 5 * MINUTE_MS)).toBe(1);
  });

  it("rate() early in a series extrapolates no further back than the counter's zero", () => {
    // 120 over 120 s of samples in a 300 s range, first sample 0: no extrapolation before it.
    expect(rateAt(counter, 2, MINUTE_MS, 5 * MINUTE_MS)).toBeCloseTo(0.4, 12);
    // A counter that starts high extrapolates half a sample spacing back, not 180 s.
    expect(rateAt([1000, 1060, 1120], 2, MINUTE_MS, 5 * MINUTE_MS)).toBeCloseTo((120 * 150) / 120 / 300, 12);
    expect(rateAt(counter, 0, MINUTE_MS, 5 * MINUTE_MS)).toBeUndefined();
  });

  it("rate() counts a counter reset as a restart from zero", () => {
    expect(rateAt([0, 100, 200, 50], 3, MINUTE_MS, 3 * MINUTE_MS)).toBeCloseTo(250 / 180, 12);
  });

  it("histogram_quantile interpolates in the bucket, caps at the last finite bound, fixes non-monotonic counts", () => {
    const inf = Number.POSITIVE_INFINITY;
    const b: Array<[number, number]> = [
      [0.1, 50],
      [1, 90],
      [inf, 100],
    ];
    expect(bucketQuantile(0.5, b)).toBeCloseTo(0.1, 12);
    expect(bucketQuantile(0.7, b)).toBeCloseTo(0.55, 12);
    expect(bucketQuantile(0.95, b)).toBe(1);
    expect(
      bucketQuantile(0.5, [
        [0.1, 60],
        [1, 50],
        [inf, 100],
      ]),
    ).toBeCloseTo(0.1 * (50 / 60), 12);
    expect(
      bucketQuantile(0.5, [
        [0.1, 0],
        [inf, 0],
      ]),
    ).toBeNaN();
  });
});

describe("verdicts on runs shaped after real ones", () => {
  it("a 5 s pause: the p99 budget burns from the thaw second, the error budget stays whole", () => {
    const { proof } = prove(pausedRun());
    // Every time on the measured phase's base, as the table and the charts: the 1 s warmup is before 0.
    expect(proof.faults).toEqual([
      { name: "freeze", kind: "pause", fromS: 2, toS: 7, unavailableMs: 4996, outage: true },
    ]);
    const fired = proof.alerts.filter((a) => a.firstFiringS !== undefined);
    expect(fired.map((a) => [a.alert, a.labels.burn_rate, a.firstFiringS])).toEqual([
      ["OrdersPubAckP99BudgetBurn", "14.4", 8],
      ["OrdersPubAckP99BudgetBurn", "6", 8],
      ["OrdersPubAckP99BudgetBurn", "3", 8],
      ["OrdersPubAckP99BudgetBurn", "1", 8],
    ]);
    // The page (5m window: five run seconds) clears once the thaw second leaves the window.
    expect(fired[0]!.firingS).toEqual([[8, 12]]);
    expect(proof).toMatchObject({ passed: true, seconds: 13 });
    expect(proof.verdict).toBe(
      "proven: OrdersPubAckP99BudgetBurn (14.4x, 1h) fired at 8 s, after fault freeze began at 2 s (4 alert rules fired)",
    );
  });

  it("a rule set without latency alerts stays silent on the pause: not proven", () => {
    const { proof } = prove(pausedRun(), rulesOf(["throughput.publishedPerSec"]));
    expect(proof.alerts.every((a) => a.firingS.length === 0)).toBe(true);
    expect(proof.passed).toBe(false);
    expect(proof.verdict).toBe(
      "no alert fired on the outage: fault freeze (pause) left publishes unanswered for 5.0 s from 2 s",
    );
  });

  it("an outage of errors: every publish times out for 5 s, the error budget pages", () => {
    const failing: Second = { published: 1000, errors: { timeout: 1000 }, latencyS: [] };
    const run = replayRun(
      [healthy(), healthy(), healthy(), failing, failing, failing, failing, failing, healthy(), healthy()],
      [pauseFault(2, 5)],
    );
    const { proof } = prove(run, rulesOf(["throughput.publishedPerSec"]));
    const page = proof.alerts.find((a) => a.labels.burn_rate === "14.4")!;
    // 1000 of 4000 publishes in the 5m window at the end of run second 4 (3 s into the measured phase)
    // failed: 25% against 1.44%.
    expect(page).toMatchObject({ alert: "OrdersErrorBudgetBurn", firstFiringS: 3 });
    expect(proof.passed).toBe(true);
  });

  it("a clean run stays silent; an error burst on it is a false alarm", () => {
    const clean = replayRun(Array.from({ length: 10 }, healthy));
    expect(prove(clean).proof).toMatchObject({
      passed: true,
      verdict: "silent on a run without faults, as it should be",
    });
    const burst = replayRun([
      ...Array.from({ length: 5 }, healthy),
      { ...healthy(), errors: { "api:10077": 200 } },
      ...Array.from({ length: 4 }, healthy),
    ]);
    const { proof } = prove(burst);
    expect(proof.passed).toBe(false);
    expect(proof.verdict).toBe(
      "false alarm: OrdersErrorBudgetBurn (14.4x, 1h) fired at 5 s, on a run without faults",
    );
  });

  it("an alert before the first fault is a false alarm too", () => {
    const run = replayRun(
      [healthy(), { ...healthy(), errors: { timeout: 500 } }, healthy(), healthy(), healthy(), healthy()],
      [pauseFault(3, 1)],
    );
    expect(prove(run).proof.verdict).toBe(
      "false alarm: OrdersErrorBudgetBurn (14.4x, 1h) fired at 1 s, before the first fault (at 3 s)",
    );
  });

  it("counts every time from the start of the measured phase, as the table and the charts do", () => {
    const run = pausedRun();
    const { proof } = prove(run);
    // The fault's atS is the table's "at", the charts' shading and the replay's fault alike.
    expect(run.profile.warmupMs).toBe(1000);
    expect(proof.faults[0]!.fromS).toBe(run.faults![0]!.atS);
    expect(faultBands(run)[0]).toMatchObject({ from: run.faults![0]!.atS, to: run.faults![0]!.atS! + 5 });
    const text = renderProofTable({
      rulesFile: "rules.yml",
      testsFile: "rules.test.yml",
      replayStepS: 60,
      runs: [proof],
      passed: true,
    });
    expect(text).toContain("times in seconds from the start of the measured phase");
    expect(text).toContain("fault freeze (pause): 2-7 s from the start of the measured phase");
    // Run second 9 from the start instant (the thaw) is 8 s from the start of the measured phase.
    expect(text).toMatch(/OrdersPubAckP99BudgetBurn \(14\.4x, 1h\) +│ \w+ +│ 8 s +│ 8-12/);
  });

  it("refuses a result written before per-second buckets were kept", () => {
    const old = pausedRun();
    delete old.intervalBucketsS;
    expect(() => prove(old)).toThrow(
      "run.json has no per-second error kinds and latency buckets (a result written before alert replays): run the profile again with this benchline",
    );
  });
});

describe.skipIf(!existsSync(PROMTOOL))("promtool test rules agrees with every prediction", () => {
  it("the pause, the error outage and a clean run, replayed at 1 s, 15 s and 1 m a run second", async () => {
    const failing: Second = { published: 1000, errors: { timeout: 900 }, latencyS: [[0.003, 100]] };
    const runs = [
      pausedRun(),
      replayRun([healthy(), healthy(), failing, failing, failing, healthy(), healthy()], [pauseFault(1, 3)]),
      replayRun(Array.from({ length: 8 }, healthy)),
    ];
    for (const stepMs of [1000, 15_000, MINUTE_MS]) {
      const r = await promtool(rulesOf(), runs, stepMs);
      expect(r.output, `step ${stepMs} ms`).toContain("SUCCESS");
      expect(r.status).toBe(0);
    }
  });

  it("with the rules' selector labels on the series and the alerts", async () => {
    const rules = rulesOf(undefined, 'service="orders"');
    const w = prove(pausedRun(), rules, MINUTE_MS, { service: "orders" });
    expect(w.timelines.find((t) => t.firing.some(Boolean))!.labels).toMatchObject({
      service: "orders",
      objective: "pubAck.p99",
    });
    const r = await promtool(rules, [pausedRun()], MINUTE_MS, { service: "orders" });
    expect(r.status, r.output).toBe(0);
  });

  it("a wrong prediction fails promtool: the test file can fail", async () => {
    await using dir = await tempDir();
    const rules = rulesOf();
    const w = prove(pausedRun(), rules);
    // Claim the page fires one second early.
    const page = w.timelines.find((t) => t.rule.labels.burn_rate === "14.4" && t.firing.some(Boolean))!;
    page.firing[8] = true;
    await writeFile(join(dir.path, "rules.yml"), renderRulesYaml(rules));
    await writeFile(
      join(dir.path, "t.yml"),
      renderRuleTests("rules.yml", [rules.recordingGroup, rules.alertGroup], MINUTE_MS, [
        { name: "pause", series: w.series, timelines: w.timelines },
      ]),
    );
    const r = spawnSync(PROMTOOL, ["test", "rules", "t.yml"], { cwd: dir.path, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain("alertname: OrdersPubAckP99BudgetBurn, time: 8m");
  });

  it("random runs: rates, ratios, quantiles and `for` as Prometheus has them", async () => {
    const second = fc.record({
      published: fc.integer({ min: 0, max: 2000 }),
      errorShare: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true })),
      slowShare: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      slowS: fc.constantFrom(0.02, 0.03, 0.3, 3),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(second, { minLength: 2, maxLength: 25 }),
        fc.constantFrom(1000, 20_000, MINUTE_MS),
        async (secs, stepMs) => {
          const run = replayRun(
            secs.map((s): Second => {
              const errors = Math.round(s.published * s.errorShare);
              const slow = Math.round((s.published - errors) * s.slowShare);
              return {
                published: s.published,
                errors: errors > 0 ? { timeout: errors } : {},
                latencyS: [
                  [0.0008, s.published - errors - slow],
                  [s.slowS, slow],
                ],
              };
            }),
          );
          const r = await promtool(rulesOf(), [run], stepMs);
          expect(r.status, r.output).toBe(0);
        },
      ),
      { numRuns: 25, seed: 17 },
    );
  }, 120_000);
});
