import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { parseProfileText } from "../src/profile/loader.js";
import { deriveSlos, meanBounds, roundDownToGrid, roundUpToGrid, t95 } from "../src/slo/derive.js";
import { renderOpenSlo } from "../src/slo/openslo.js";
import { parseLabels, seriesNames } from "../src/slo/prometheus-names.js";
import { renderPrometheusRules } from "../src/slo/prometheus-rules.js";
import { renderSloTable } from "../src/slo/render.js";
import { renderThresholdsBlock, writeThresholdsIntoProfile } from "../src/slo/thresholds-block.js";
import { parseSloWindow } from "../src/slo/window.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { tempDir } from "./helpers/tmp.js";

const DAY_S = 86_400;
const options = { headroom: 1.25, targetPercent: 99.9, windowS: 28 * DAY_S };

describe("derivation arithmetic", () => {
  it("t quantiles from the table", () => {
    expect([t95(2), t95(9), t95(30), t95(1000)]).toEqual([2.92, 1.833, 1.697, 1.645]);
  });

  it("bounds of the mean: 10, 12, 14 -> mean 12, sd 2, upper 12 + 2.92 * 2 / sqrt 3", () => {
    const b = meanBounds([10, 12, 14]);
    expect(b.mean).toBe(12);
    expect(b.sd).toBe(2);
    expect(b.upper).toBeCloseTo(15.37173, 4);
    expect(b.lower).toBeCloseTo(8.62827, 4);
  });

  it.each([
    [15.37, 20],
    [1234, 1500],
    [1000, 1000],
    [19_214.6, 20_000],
    [81, 100],
    [0.31, 0.4],
  ])("rounds %d up to %d", (v, r) => {
    expect(roundUpToGrid(v)).toBe(r);
  });

  it.each([
    [9876, 8000],
    [1234, 1200],
    [6651.3, 6000],
    [1000, 1000],
  ])("rounds %d down to %d", (v, r) => {
    expect(roundDownToGrid(v)).toBe(r);
  });
});

describe("deriveSlos", () => {
  const set = deriveSlos(fixtureBaseline(), "b.json", options);

  it("latency: upper bound of the per-run values x headroom, rounded up", () => {
    const p99 = set.proposals.find((p) => p.metric === "pubAck.p99")!;
    // upper = 12000 + 2.92 * 2000 / sqrt(3) = 15371.73; x 1.25 = 19214.7 -> 20 ms
    expect(p99).toMatchObject({ kind: "latency", op: "<=", objective: 20_000 });
    expect(p99.derivation.bound).toBeCloseTo(15_371.73, 1);
    expect(p99.derivation.text).toBe(
      "95% upper bound of the mean per-run pubAck.p99 over 3 runs (15372 us) x headroom 1.25, rounded up",
    );
  });

  it("the table keeps to the figures; how they were derived is said once, under it", () => {
    expect(renderSloTable(set)).toMatchInlineSnapshot(`
      "SLO proposals for orders, observational: derived from 3 runs in b.json (recorded 2026-11-20T10:00:00.000Z)
      ┌────────────────────────────┬────────────┬───────────┬───────────┐
      │ metric                     │ objective  │ runs mean │ 95% bound │
      ├────────────────────────────┼────────────┼───────────┼───────────┤
      │ pubAck.p50                 │ <= 1.00ms  │ 800us     │ 800us     │
      │ pubAck.p95                 │ <= 5.00ms  │ 4.00ms    │ 4.00ms    │
      │ pubAck.p99                 │ <= 20.00ms │ 12.00ms   │ 15.37ms   │
      │ throughput.publishedPerSec │ >= 6000/s  │ 10.0k/s   │ 8314/s    │
      └────────────────────────────┴────────────┴───────────┴───────────┘
      how each objective is derived, from the per-run values:
        latency: the 95% upper bound of the mean over 3 runs x headroom 1.25,
          rounded up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^n
        throughput: the 95% lower bound of the mean over 3 runs / headroom 1.25,
          rounded down likewise
      error budget: 99.9% over 28 days allows 24192000 failed publishes,
        0.100% of 24192000000 publishes (10000 msgs/s, the baseline's median rate, for 2419200 s);
        the baseline's runs had 0.0010% failed
      "
    `);
    // Below the heading (which names the file), no line passes 100 characters.
    const below = renderSloTable(set).split("\n").slice(1);
    expect(Math.max(...below.map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it("throughput: lower bound / headroom, rounded down", () => {
    const floor = set.proposals.find((p) => p.metric === "throughput.publishedPerSec")!;
    // lower = 10000 - 2.92 * 1000 / sqrt(3) = 8314.2; / 1.25 = 6651.3 -> 6000
    expect(floor).toMatchObject({ kind: "throughput", op: ">=", objective: 6000 });
  });

  it("error budget: allowed bad events at the baseline's rate over the window", () => {
    expect(set.errorBudget).toMatchObject({
      ratePerSec: 10_000,
      eventsInWindow: 10_000 * 28 * DAY_S,
      allowedBadEvents: 24_192_000,
      targetPercent: 99.9,
    });
    expect(set.errorBudget.observedBadFraction).toBeCloseTo(3 / 300_000, 12);
    expect(set.observational).toBe(true);
    expect(set.source).toEqual({
      file: "b.json",
      profile: "orders",
      createdAt: "2026-11-20T10:00:00.000Z",
      runs: 3,
    });
  });

  it("proposes only what the baseline holds", () => {
    expect(set.proposals.map((p) => p.metric)).toEqual([
      "pubAck.p50",
      "pubAck.p95",
      "pubAck.p99",
      "throughput.publishedPerSec",
    ]);
    expect(() => deriveSlos(fixtureBaseline(), "b.json", { ...options, metrics: ["e2e.p99"] })).toThrow(
      "b.json: the baseline holds no e2e.p99; it has pubAck.p50, pubAck.p95, pubAck.p99, throughput.publishedPerSec",
    );
  });

  it("refuses a baseline with too few runs for a confidence bound", () => {
    const b = fixtureBaseline();
    b.runs = b.runs.slice(0, 2);
    expect(() => deriveSlos(b, "b.json", options)).toThrow(
      "b.json holds 2 runs; a confidence bound needs at least 3: record more runs",
    );
  });
});

describe("exporters", () => {
  const set = deriveSlos(fixtureBaseline(), "b.json", options);
  const names = seriesNames("nats_bench", parseLabels("service=orders,env=prod"));

  it("OpenSLO v1: the service, one SLO per objective and one for the budget", () => {
    const docs = parseAllDocuments(renderOpenSlo(set, names, parseSloWindow("28d"))).map((d) => d.toJS());
    expect(docs.map((d) => [d.kind, d.metadata.name])).toEqual([
      ["Service", "orders"],
      ["SLO", "orders-puback-p50"],
      ["SLO", "orders-puback-p95"],
      ["SLO", "orders-puback-p99"],
      ["SLO", "orders-throughput-publishedpersec"],
      ["SLO", "orders-publish-success"],
    ]);
    expect(docs.every((d) => d.apiVersion === "openslo/v1")).toBe(true);
    const p99 = docs.find((d) => d.metadata.name === "orders-puback-p99");
    expect(p99.spec.service).toBe("orders");
    expect(p99.spec.objectives[0]).toMatchObject({ op: "lte", value: 0.02, target: 0.999 });
    expect(p99.spec.indicator.spec.thresholdMetric.metricSource.spec.query).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(nats_bench_pub_ack_latency_seconds_bucket{service="orders",env="prod"}[5m])))',
    );
    expect(p99.spec.timeWindow).toEqual([{ duration: "28d", isRolling: true }]);
    expect(p99.metadata.annotations["benchline.dev/observational"]).toBe("true");
    const budget = docs.at(-1);
    expect(budget.spec.budgetingMethod).toBe("Occurrences");
    expect(budget.spec.indicator.spec.ratioMetric.bad.metricSource.spec.query).toContain(
      "nats_bench_publish_errors_total",
    );
  });

  it("Prometheus rules: the workbook's four burn rates on errors and on the p99 budget, a latency alert per objective", () => {
    const rules = parse(renderPrometheusRules(set, names, "nats_bench"));
    const [recording, alerts] = rules.groups;
    expect(recording.rules.map((r: { record: string }) => r.record)).toEqual([
      "nats_bench:publish_error_ratio:rate1h",
      "nats_bench:publish_error_ratio:rate5m",
      "nats_bench:publish_error_ratio:rate6h",
      "nats_bench:publish_error_ratio:rate30m",
      "nats_bench:publish_error_ratio:rate1d",
      "nats_bench:publish_error_ratio:rate2h",
      "nats_bench:publish_error_ratio:rate3d",
      ...["1h", "5m", "6h", "30m", "1d", "2h", "3d"].map((w) => `nats_bench:pub_ack_slow_ratio:rate${w}`),
    ]);
    // The p99 objective of 20 ms is read at the 25 ms bucket, the nearest at or above it.
    const slow5m = recording.rules.find(
      (r: { record: string }) => r.record === "nats_bench:pub_ack_slow_ratio:rate5m",
    );
    expect(slow5m.expr).toBe(
      '1 - sum(rate(nats_bench_pub_ack_latency_seconds_bucket{service="orders",env="prod",le="0.025"}[5m])) / sum(rate(nats_bench_pub_ack_latency_seconds_bucket{service="orders",env="prod",le="+Inf"}[5m]))',
    );
    expect(slow5m.labels).toEqual({ service: "orders", env: "prod", objective: "pubAck.p99" });
    const p99Burns = alerts.rules.filter((r: { alert: string }) => r.alert === "OrdersPubAckP99BudgetBurn");
    expect(p99Burns.map((r: { labels: { burn_rate: string } }) => r.labels.burn_rate)).toEqual([
      "14.4",
      "6",
      "3",
      "1",
    ]);
    expect(p99Burns[0].expr).toBe(
      'nats_bench:pub_ack_slow_ratio:rate1h{objective="pubAck.p99"} > (14.4 * 0.01) and nats_bench:pub_ack_slow_ratio:rate5m{objective="pubAck.p99"} > (14.4 * 0.01)',
    );
    // p50 and p95 leave budgets of 50% and 5%: only the p99 objective gets burn alerts.
    expect(alerts.rules.some((r: { alert: string }) => r.alert === "OrdersPubAckP95BudgetBurn")).toBe(false);
    const burns = alerts.rules.filter((r: { alert: string }) => r.alert === "OrdersErrorBudgetBurn");
    expect(
      burns.map((r: { labels: { burn_rate: string; severity: string } }) => [
        r.labels.burn_rate,
        r.labels.severity,
      ]),
    ).toEqual([
      ["14.4", "page"],
      ["6", "page"],
      ["3", "ticket"],
      ["1", "ticket"],
    ]);
    expect(burns[0].expr).toBe(
      "nats_bench:publish_error_ratio:rate1h > (14.4 * 0.001) and nats_bench:publish_error_ratio:rate5m > (14.4 * 0.001)",
    );
    expect(
      alerts.rules.find((r: { alert: string }) => r.alert === "OrdersPubAckP99AboveObjective").expr,
    ).toContain("> 0.02");
  });

  it.skipIf(!existsSync("/usr/bin/promtool"))("promtool check rules accepts them", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "rules.yml");
    await writeFile(file, renderPrometheusRules(set, names, "nats_bench"));
    expect(execFileSync("/usr/bin/promtool", ["check", "rules", file]).toString()).toMatch(
      /SUCCESS: 25 rules found/,
    );
  });

  it("refuses labels it cannot read", () => {
    expect(() => parseLabels("service")).toThrow(
      "--labels service: write name=value pairs separated by commas, e.g. service=orders,env=prod",
    );
  });
});

describe("thresholds block", () => {
  const set = deriveSlos(fixtureBaseline(), "b.json", options);

  it("prints what a profile takes", () => {
    expect(renderThresholdsBlock(set.proposals)).toBe(
      // p50 is 800 us in every run: sd 0, so 800 x 1.25 = 1000 us, already on the grid.
      'thresholds:\n  pubAck.p50: "<= 1ms"\n  pubAck.p95: "<= 5ms"\n  pubAck.p99: "<= 20ms"\n  throughput.publishedPerSec: ">= 6000"\n',
    );
  });

  it("round-trips through the profile loader, written in place with comments kept", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "orders.yaml");
    const original = `# orders: what do order publishes cost?\nname: orders\nstream: {name: O, subjects: ["o.>"]}\npublishers:\n  - {mode: jetstream, subject: o.new, rate: 10000} # the steady rate\n`;
    await writeFile(file, original);
    await writeThresholdsIntoProfile(file, set.proposals);
    const text = await readFile(file, "utf8");
    expect(text.startsWith("# orders: what do order publishes cost?\n")).toBe(true);
    expect(text).toContain("# the steady rate");
    const loaded = parseProfileText(text, file, {});
    expect(loaded.profile.thresholds.map((t) => [t.metric, t.op, t.limit])).toEqual([
      ["pubAck.p50", "<=", 1000],
      ["pubAck.p95", "<=", 5000],
      ["pubAck.p99", "<=", 20_000],
      ["throughput.publishedPerSec", ">=", 6000],
    ]);
  });

  it("does not write a profile the thresholds would make invalid", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "core.yaml");
    const original = "publishers: [{mode: core, subject: a, rate: 10}]\n";
    await writeFile(file, original);
    await expect(writeThresholdsIntoProfile(file, set.proposals)).rejects.toThrow(
      /this profile produces no pubAck measurements/,
    );
    expect(await readFile(file, "utf8")).toBe(original);
  });
});
