import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cumulativeCounts, decodeHistogram } from "../src/metrics/histogram.js";
import { renderHgrm } from "../src/report/hgrm.js";
import { BenchlineMetrics, LATENCY_BUCKETS_S } from "../src/report/prometheus/metrics.js";
import { renderPrometheusText } from "../src/report/prometheus/textfile.js";
import { blockOf, hdrOf } from "./fixtures/charted-run.js";
import { fixtureCounts } from "./fixtures/run-result.js";

const oneToTenThousand = Array.from({ length: 10_000 }, (_, i) => i + 1);

describe(".hgrm export", () => {
  it("writes HdrHistogram's percentile distribution in milliseconds", () => {
    const text = renderHgrm(hdrOf(oneToTenThousand));
    const lines = text.split("\n");
    expect(lines[0]!.trim().split(/\s+/)).toEqual(["Value", "Percentile", "TotalCount", "1/(1-Percentile)"]);
    const rows = lines.filter((l) => /^\s*\d/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
    // The median of 1..10000 us is 5 ms; 90% of samples are at or below 9 ms.
    const at = (p: number) => rows.find((r) => Math.abs(r[1]! - p) < 1e-9)!;
    expect(at(0.5)[0]).toBeCloseTo(5.0, 2);
    expect(at(0.5)[2]).toBe(5003);
    expect(at(0.9)[0]).toBe(9.007);
    expect(at(0.9)[3]).toBeCloseTo(10, 2);
    expect(rows.at(-1)!.slice(0, 3)).toEqual([10.007, 1, 10_000]);
    expect(text).toContain("#[Max     =       10.007, Total count    =        10000]");
    expect(text).toMatch(/#\[Mean {4}= {8}5\.001, StdDeviation {3}= {8}2\.887\]/);
  });
});

describe("Prometheus", () => {
  it("reads cumulative bucket counts from an HDR histogram", () => {
    const h = decodeHistogram(hdrOf([5, 50, 500, 5000, 50_000]));
    expect(cumulativeCounts(h, [10, 100, 1000, 10_000, 100_000])).toEqual([1, 2, 3, 4, 5]);
    // A bound between samples counts those at or below it.
    expect(cumulativeCounts(h, [49, 50, 51])).toEqual([1, 2, 2]);
    h.destroy();
  });

  it("writes the final figures with the series names the SLO rules query", async () => {
    const text = await renderPrometheusText("orders", [
      {
        counts: fixtureCounts({
          published: 1000,
          consumed: 990,
          publishErrors: { timeout: 7, "503": 2 },
          consumerErrors: { ackFailed: 1 },
        }),
        latency: { pubAck: blockOf([200, 800, 3000, 40_000]) },
      },
    ]);
    expect(text).toContain('benchline_published_total{profile="orders"} 1000');
    expect(text).toContain('benchline_consumed_total{profile="orders"} 990');
    expect(text).toContain('benchline_publish_errors_total{kind="timeout",profile="orders"} 7');
    expect(text).toContain('benchline_publish_errors_total{kind="503",profile="orders"} 2');
    expect(text).toContain('benchline_consumer_errors_total{kind="ackFailed",profile="orders"} 1');
    expect(text).toContain("# TYPE benchline_pub_ack_latency_seconds histogram");
    expect(text).toContain('benchline_pub_ack_latency_seconds_bucket{le="0.001",profile="orders"} 2');
    expect(text).toContain('benchline_pub_ack_latency_seconds_bucket{le="0.005",profile="orders"} 3');
    expect(text).toContain('benchline_pub_ack_latency_seconds_bucket{le="+Inf",profile="orders"} 4');
    expect(text).toContain('benchline_pub_ack_latency_seconds_count{profile="orders"} 4');
    expect(text).toContain('benchline_run_phase{phase="done",profile="orders"} 1');
    // Kinds that did not fail are there at 0, so a ratio over them reads 0, not no data.
    expect(text).toContain('benchline_publish_errors_total{kind="noResponders",profile="orders"} 0');
    const buckets = [...text.matchAll(/pub_ack_latency_seconds_bucket\{le="([^"]+)"/g)].map((m) => m[1]);
    expect(buckets).toEqual([...LATENCY_BUCKETS_S.map(String), "+Inf"]);
  });

  it.skipIf(!existsSync("/usr/bin/promtool"))("promtool accepts the file", async () => {
    const text = await renderPrometheusText("smoke", [
      { counts: fixtureCounts({ publishErrors: { timeout: 1 } }), latency: { e2e: blockOf([100, 200]) } },
    ]);
    expect(execFileSync("/usr/bin/promtool", ["check", "metrics"], { input: text }).toString()).toBe("");
  });

  it("sums the runs it is given and keeps a capacity answer as a gauge", async () => {
    const run = {
      counts: fixtureCounts({ published: 100, consumed: 100 }),
      latency: { e2e: blockOf([100]) },
    };
    const text = await renderPrometheusText("p", [run, run], {
      capacity_sustained_msgs_per_second: { help: "answer", value: 42_000 },
      capacity_first_bad_msgs_per_second: { help: "none found", value: undefined },
    });
    expect(text).toContain('benchline_published_total{profile="p"} 200');
    expect(text).toContain('benchline_e2e_latency_seconds_count{profile="p"} 2');
    expect(text).toContain('benchline_capacity_sustained_msgs_per_second{profile="p"} 42000');
    expect(text).not.toContain("first_bad");
  });

  it("a run without errors: every error series at 0", async () => {
    const text = await renderPrometheusText("p", [{ counts: fixtureCounts(), latency: {} }]);
    expect(text.split("\n").filter((l) => l.includes("errors_total{"))).toEqual([
      'benchline_publish_errors_total{kind="timeout",profile="p"} 0',
      'benchline_publish_errors_total{kind="noResponders",profile="p"} 0',
      'benchline_publish_errors_total{kind="badPubAck",profile="p"} 0',
      'benchline_publish_errors_total{kind="requestFailed",profile="p"} 0',
      'benchline_consumer_errors_total{kind="foreignMessage",profile="p"} 0',
      'benchline_consumer_errors_total{kind="ackFailed",profile="p"} 0',
    ]);
  });

  it("a capacity answer without counts writes no count series rather than zeros", async () => {
    const text = await renderPrometheusText("p", [{ latency: { e2e: blockOf([100]) } }], {
      capacity_sustained_msgs_per_second: { help: "answer", value: 42_000 },
    });
    expect(text).not.toMatch(/_total/);
    expect(text).toContain('benchline_e2e_latency_seconds_count{profile="p"} 1');
  });

  it("says in HELP what the counts and the histograms cover, which differs in the final file", async () => {
    const help = (text: string, name: string) =>
      text
        .split("\n")
        .find((l) => l.startsWith(`# HELP ${name} `))!
        .slice(`# HELP ${name} `.length);
    const final = await renderPrometheusText("p", [
      { counts: fixtureCounts(), latency: { e2e: blockOf([100]) } },
    ]);
    expect(help(final, "benchline_published_total")).toBe(
      "Messages published (sent; for JetStream, acknowledged or not) over the whole run, warmup and drain included; the latency histograms hold the measured phase only.",
    );
    expect(help(final, "benchline_e2e_latency_seconds")).toBe(
      "e2e latency in seconds over the measured phase only, warmup and drain excluded (HDR histogram, 3 significant digits).",
    );
    const m = new BenchlineMetrics("p", { scope: "live", latencyKinds: ["e2e"] });
    const live = await m.text();
    m.destroy();
    expect(help(live, "benchline_published_total")).toBe(
      "Messages published (sent; for JetStream, acknowledged or not) since the run started, every phase, as the latency histograms.",
    );
    expect(help(live, "benchline_e2e_latency_seconds")).toBe(
      "e2e latency in seconds since the run started, every phase (HDR histogram, 3 significant digits).",
    );
  });

  it("live: every series exists at 0 before the first second's figures, so rate() loses no first increment", async () => {
    const m = new BenchlineMetrics("p", { scope: "live", latencyKinds: ["pubAck", "e2e"] });
    const text = await m.text();
    m.destroy();
    for (const line of [
      'benchline_published_total{profile="p"} 0',
      'benchline_consumed_total{profile="p"} 0',
      'benchline_publish_errors_total{kind="timeout",profile="p"} 0',
      'benchline_consumer_errors_total{kind="ackFailed",profile="p"} 0',
      'benchline_pub_ack_latency_seconds_bucket{le="+Inf",profile="p"} 0',
      'benchline_e2e_latency_seconds_count{profile="p"} 0',
      'benchline_run_phase{phase="connecting",profile="p"} 1',
    ])
      expect(text).toContain(line);
  });

  it("keeps one phase at 1", async () => {
    const m = new BenchlineMetrics("p", { scope: "live" });
    m.setPhase("measure");
    const text = await m.text();
    m.destroy();
    expect(text.match(/benchline_run_phase\{[^}]*\} 1/g)).toEqual([
      'benchline_run_phase{phase="measure",profile="p"} 1',
    ]);
  });
});
