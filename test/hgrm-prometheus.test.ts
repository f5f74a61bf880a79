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

  it("keeps one phase at 1", async () => {
    const m = new BenchlineMetrics("p");
    m.setPhase("measure");
    const text = await m.text();
    m.destroy();
    expect(text.match(/benchline_run_phase\{[^}]*\} 1/g)).toEqual([
      'benchline_run_phase{phase="measure",profile="p"} 1',
    ]);
  });
});
