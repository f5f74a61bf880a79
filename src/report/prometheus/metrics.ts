/**
 * benchline's own figures as Prometheus metrics (prom-client): counters of published and consumed
 * messages, errors by kind, a latency histogram per kind, and the run's phase. The same registry shape
 * serves /metrics while a run goes (live.ts) and the final figures written to a file (textfile.ts), with
 * the series names the SLO rules of `benchline slo` query (slo/prometheus-names.ts).
 */
import { Counter, Gauge, type Metric, Registry } from "prom-client";
import { CONSUMER_ERROR_KINDS, isConsumerErrorKind, PUBLISH_ERROR_KINDS } from "../../engine/merge.js";
import {
  createHistogram,
  cumulativeCounts,
  type Histogram,
  LATENCY_BUCKETS_S,
} from "../../metrics/histogram.js";
import { seriesNames } from "../../slo/prometheus-names.js";

export const METRIC_PREFIX = "benchline";

export { LATENCY_BUCKETS_S };

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

/**
 * What the figures cover. `live`: counts and histograms alike take every phase as it happens (the phase
 * gauge tells them apart). `final`: counts are the whole run's (result.json's `counts`, warmup and drain
 * included) and histograms the measured phase's; HELP says which, so nobody divides one by the other
 * thinking they cover the same messages.
 */
export type MetricsScope = "live" | "final";

export interface MetricsOptions {
  scope: MetricsScope;
  /** Latency kinds whose histograms exist, empty, from the start: a series that appears later loses its first samples to rate(). */
  latencyKinds?: Iterable<string>;
  /** Whether there are message counts to show; a capacity answer has none, and a 0 would claim there were none. */
  counts?: boolean;
}

const HELP = {
  live: {
    published:
      "Messages published (sent; for JetStream, acknowledged or not) since the run started, every phase, as the latency histograms.",
    consumed: "Messages received by consumers and subscribers since the run started, every phase.",
    publishErrors:
      "Failed publishes by kind (PubAck error, 503 no responders, timeout, ...) since the run started, every phase.",
    consumerErrors:
      "Consumer-side errors by kind (failed acks, foreign messages, refused pulls) since the run started, every phase.",
    latency: "latency in seconds since the run started, every phase (HDR histogram, 3 significant digits).",
  },
  final: {
    published:
      "Messages published (sent; for JetStream, acknowledged or not) over the whole run, warmup and drain included; the latency histograms hold the measured phase only.",
    consumed: "Messages received by consumers and subscribers over the whole run, warmup and drain included.",
    publishErrors:
      "Failed publishes by kind (PubAck error, 503 no responders, timeout, ...) over the whole run, warmup and drain included, as benchline_published_total.",
    consumerErrors:
      "Consumer-side errors by kind (failed acks, foreign messages, refused pulls) over the whole run, warmup and drain included.",
    latency:
      "latency in seconds over the measured phase only, warmup and drain excluded (HDR histogram, 3 significant digits).",
  },
} as const;

interface CountMetrics {
  published: Counter;
  consumed: Counter;
  publishErrors: Counter<"kind">;
  consumerErrors: Counter<"kind">;
}

export class BenchlineMetrics {
  readonly registry = new Registry();
  private readonly names = seriesNames(METRIC_PREFIX, "");
  private readonly help: (typeof HELP)[MetricsScope];
  private readonly counts?: CountMetrics;
  private readonly phase: Gauge<"phase">;
  private readonly faultActive: Gauge<"fault" | "kind">;
  private readonly latency = new Map<string, HdrHistogramMetric>();

  constructor(profile: string, options: MetricsOptions) {
    this.registry.setDefaultLabels({ profile });
    this.help = HELP[options.scope];
    const registers = [this.registry];
    if (options.counts ?? true) {
      this.counts = {
        published: new Counter({ name: this.names.published, help: this.help.published, registers }),
        consumed: new Counter({
          name: `${METRIC_PREFIX}_consumed_total`,
          help: this.help.consumed,
          registers,
        }),
        publishErrors: new Counter({
          name: this.names.publishErrors,
          help: this.help.publishErrors,
          labelNames: ["kind"],
          registers,
        }),
        consumerErrors: new Counter({
          name: `${METRIC_PREFIX}_consumer_errors_total`,
          help: this.help.consumerErrors,
          labelNames: ["kind"],
          registers,
        }),
      };
      // At 0 from the start: the error ratio of `benchline slo` reads 0, not no data, when nothing
      // failed, and the first failure is an increase rate() sees rather than a series appearing.
      for (const kind of PUBLISH_ERROR_KINDS) this.counts.publishErrors.inc({ kind }, 0);
      for (const kind of CONSUMER_ERROR_KINDS) this.counts.consumerErrors.inc({ kind }, 0);
    }
    this.phase = new Gauge({
      name: `${METRIC_PREFIX}_run_phase`,
      help: "1 for the phase the run is in: connecting, warmup, measure, drain or done.",
      labelNames: ["phase"],
      registers,
    });
    this.faultActive = new Gauge({
      name: `${METRIC_PREFIX}_fault_active`,
      help: "1 while a fault of the profile's timeline is on, 0 before and after (for dashboards to shade).",
      labelNames: ["fault", "kind"],
      registers,
    });
    this.setPhase("connecting");
    for (const kind of options.latencyKinds ?? []) this.latencyMetric(kind);
  }

  /** A fault started (on) or ended. */
  setFault(fault: string, kind: string, on: boolean): void {
    this.faultActive.set({ fault, kind }, on ? 1 : 0);
  }

  setPhase(phase: MetricsPhase): void {
    for (const p of PHASES) this.phase.set({ phase: p }, p === phase ? 1 : 0);
  }

  addCounts(published: number, consumed: number): void {
    const c = this.countMetrics();
    if (published > 0) c.published.inc(published);
    if (consumed > 0) c.consumed.inc(consumed);
  }

  addErrors(kinds: Record<string, number>): void {
    const c = this.countMetrics();
    for (const [kind, n] of Object.entries(kinds)) {
      if (n <= 0) continue;
      (isConsumerErrorKind(kind) ? c.consumerErrors : c.publishErrors).inc({ kind }, n);
    }
  }

  private countMetrics(): CountMetrics {
    if (!this.counts)
      throw new TypeError("BenchlineMetrics: counts given to metrics made with counts: false");
    return this.counts;
  }

  /** Adds samples into the kind's histogram (created on first use, unless named at the start). */
  addLatency(kind: string, samples: Histogram): void {
    this.latencyMetric(kind).histogram.add(samples);
  }

  private latencyMetric(kind: string): HdrHistogramMetric {
    let metric = this.latency.get(kind);
    if (!metric) {
      const name = this.names.latencyBucket(kind).replace(/_bucket$/, "");
      metric = new HdrHistogramMetric(name, `${kind} ${this.help.latency}`, createHistogram());
      this.latency.set(kind, metric);
      this.registry.registerMetric(metric as unknown as Metric);
    }
    return metric;
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
