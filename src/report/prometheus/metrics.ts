/**
 * benchline's own figures as Prometheus metrics (prom-client): counters of published and consumed
 * messages, errors by kind, a latency histogram per kind, and the run's phase. The same registry shape
 * serves /metrics while a run goes (live.ts) and the final figures written to a file (textfile.ts), with
 * the series names the SLO rules of `benchline slo` query (slo/prometheus-names.ts).
 */
import { Counter, Gauge, type Metric, Registry } from "prom-client";
import { CONSUMER_ERROR_KINDS } from "../../engine/merge.js";
import { createHistogram, cumulativeCounts, type Histogram } from "../../metrics/histogram.js";
import { seriesNames } from "../../slo/prometheus-names.js";

export const METRIC_PREFIX = "benchline";

/** `le` bounds in seconds: 1-2.5-5 per decade from 10 us to 10 s, then 25 s and 60 s (the histograms' top). */
export const LATENCY_BUCKETS_S = [
  ...[1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1].flatMap((d) => [d, 2.5 * d, 5 * d].map((v) => +v.toPrecision(3))),
  10,
  25,
  60,
];

export const PHASES = ["connecting", "warmup", "measure", "drain", "done"] as const;
export type MetricsPhase = (typeof PHASES)[number];

/**
 * A Prometheus histogram whose samples are already in an HDR histogram. prom-client's own Histogram
 * takes observations one at a time, which would mean replaying every sample; this answers the
 * registry's `get()` with bucket counts read from the HDR histogram instead.
 */
class HdrHistogramMetric {
  readonly type = "histogram";
  readonly aggregator = "sum";

  constructor(
    readonly name: string,
    readonly help: string,
    readonly histogram: Histogram,
  ) {}

  get() {
    const h = this.histogram;
    const counts = cumulativeCounts(
      h,
      LATENCY_BUCKETS_S.map((s) => s * 1e6),
    );
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [
        ...LATENCY_BUCKETS_S.map((le, i) => ({
          metricName: `${this.name}_bucket`,
          labels: { le: String(le) },
          value: counts[i]!,
        })),
        { metricName: `${this.name}_bucket`, labels: { le: "+Inf" }, value: h.totalCount },
        {
          metricName: `${this.name}_sum`,
          labels: {},
          value: h.totalCount === 0 ? 0 : (h.mean * h.totalCount) / 1e6,
        },
        { metricName: `${this.name}_count`, labels: {}, value: h.totalCount },
      ],
    };
  }
}

export class BenchlineMetrics {
  readonly registry = new Registry();
  private readonly names = seriesNames(METRIC_PREFIX, "");
  private readonly published: Counter;
  private readonly consumed: Counter;
  private readonly publishErrors: Counter<"kind">;
  private readonly consumerErrors: Counter<"kind">;
  private readonly phase: Gauge<"phase">;
  private readonly latency = new Map<string, HdrHistogramMetric>();

  constructor(profile: string) {
    this.registry.setDefaultLabels({ profile });
    const registers = [this.registry];
    this.published = new Counter({
      name: this.names.published,
      help: "Messages published (sent; for JetStream, acknowledged or not).",
      registers,
    });
    this.consumed = new Counter({
      name: `${METRIC_PREFIX}_consumed_total`,
      help: "Messages received by consumers and subscribers.",
      registers,
    });
    this.publishErrors = new Counter({
      name: this.names.publishErrors,
      help: "Failed publishes by kind (PubAck error, 503 no responders, timeout, ...).",
      labelNames: ["kind"],
      registers,
    });
    this.consumerErrors = new Counter({
      name: `${METRIC_PREFIX}_consumer_errors_total`,
      help: "Consumer-side errors by kind (failed acks, foreign messages).",
      labelNames: ["kind"],
      registers,
    });
    this.phase = new Gauge({
      name: `${METRIC_PREFIX}_run_phase`,
      help: "1 for the phase the run is in: connecting, warmup, measure, drain or done.",
      labelNames: ["phase"],
      registers,
    });
    this.setPhase("connecting");
  }

  setPhase(phase: MetricsPhase): void {
    for (const p of PHASES) this.phase.set({ phase: p }, p === phase ? 1 : 0);
  }

  addCounts(published: number, consumed: number): void {
    if (published > 0) this.published.inc(published);
    if (consumed > 0) this.consumed.inc(consumed);
  }

  addErrors(kinds: Record<string, number>): void {
    for (const [kind, n] of Object.entries(kinds)) {
      if (n <= 0) continue;
      (CONSUMER_ERROR_KINDS.has(kind) ? this.consumerErrors : this.publishErrors).inc({ kind }, n);
    }
  }

  /** Adds samples into the kind's histogram (created on first use). */
  addLatency(kind: string, samples: Histogram): void {
    let metric = this.latency.get(kind);
    if (!metric) {
      const name = this.names.latencyBucket(kind).replace(/_bucket$/, "");
      metric = new HdrHistogramMetric(
        name,
        `${kind} latency in seconds (HDR histogram, 3 significant digits).`,
        createHistogram(),
      );
      this.latency.set(kind, metric);
      this.registry.registerMetric(metric as unknown as Metric);
    }
    metric.histogram.add(samples);
  }

  /** A named single value, e.g. `capacity_sustained_msgs_per_second` (the prefix is added). */
  setGauge(name: string, help: string, value: number): void {
    new Gauge({ name: `${METRIC_PREFIX}_${name}`, help, registers: [this.registry] }).set(value);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  destroy(): void {
    for (const m of this.latency.values()) m.histogram.destroy();
  }
}
