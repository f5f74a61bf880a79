/**
 * The metric catalogue: every number a threshold or a compare can name, read from a run, with the
 * direction in which it gets worse. Names: `<latency kind>.<stat>` (pubAck.p99, e2e.p50: microseconds),
 * `throughput.<field>`, `counts.<field>`, `rates.<publishErrors|lost|lateSends>` (fractions), and for
 * fault runs `faults.<name>.<recoveryMs|unavailableMs>` (milliseconds).
 */

import { LATENCY_KINDS, type LatencyKind, OP_LATENCY_KINDS } from "../contract/latency.js";
import { type Profile, wholeLoad } from "../contract/profile.js";
import type { Counts, RunResult } from "../contract/result.js";

/** The parts of a run a metric can read: a RunResult or a baseline's run summary. */
export type MetricSource = Pick<RunResult, "throughput" | "counts" | "latency" | "faults">;

export type Direction = "lower-is-better" | "higher-is-better";

export interface MetricInfo {
  name: string;
  direction: Direction;
  unit: "us" | "ms" | "msgs/s" | "bytes/s" | "count" | "ratio";
}

const LATENCY_STATS = {
  min: "minUs",
  mean: "meanUs",
  p50: "p50Us",
  p90: "p90Us",
  p95: "p95Us",
  p99: "p99Us",
  p999: "p999Us",
  p9999: "p9999Us",
  max: "maxUs",
} as const;
const THROUGHPUT = [
  "publishedPerSec",
  "consumedPerSec",
  "publishedBytesPerSec",
  "consumedBytesPerSec",
  "opsPerSec",
  "readBytesPerSec",
  "writtenBytesPerSec",
] as const;
/** Throughput fields only the workloads beyond streams produce. */
const OP_THROUGHPUT: ReadonlySet<string> = new Set(["opsPerSec", "readBytesPerSec", "writtenBytesPerSec"]);
const COUNTS = [
  "published",
  "acked",
  "consumed",
  "publishErrors",
  "redeliveries",
  "duplicates",
  "gaps",
  "lost",
  "lateSends",
  "unsent",
  "reconnects",
  "permissionViolations",
  "lostAcked",
  "ops",
  "opErrors",
  "kvMisses",
  "kvConflicts",
  "objChecksumFailures",
  "watchUpdates",
] as const;
const RATES = ["publishErrors", "lost", "lateSends", "opErrors", "kvMisses", "kvConflicts"] as const;
const MORE_IS_BETTER_COUNTS = new Set(["published", "acked", "consumed", "ops", "watchUpdates"]);
const FAULT_FIGURES = ["recoveryMs", "unavailableMs"] as const;

/** What a metric name means, or undefined when it is not one benchline knows. */
export function metricInfo(name: string): MetricInfo | undefined {
  const [group, field, extra] = name.split(".");
  if (group === "faults") {
    const ok =
      field && /^[A-Za-z0-9_-]+$/.test(field) && (FAULT_FIGURES as readonly string[]).includes(extra ?? "");
    return ok ? { name, direction: "lower-is-better", unit: "ms" } : undefined;
  }
  if (extra !== undefined || !field) return undefined;
  if ((LATENCY_KINDS as readonly string[]).includes(group!) && field in LATENCY_STATS) {
    return { name, direction: "lower-is-better", unit: "us" };
  }
  if (group === "throughput" && (THROUGHPUT as readonly string[]).includes(field)) {
    return { name, direction: "higher-is-better", unit: field.includes("Bytes") ? "bytes/s" : "msgs/s" };
  }
  if (group === "counts" && (COUNTS as readonly string[]).includes(field)) {
    return {
      name,
      direction: MORE_IS_BETTER_COUNTS.has(field) ? "higher-is-better" : "lower-is-better",
      unit: "count",
    };
  }
  if (group === "rates" && (RATES as readonly string[]).includes(field)) {
    return { name, direction: "lower-is-better", unit: "ratio" };
  }
  return undefined;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

function countValue(c: Counts, field: string): number {
  const v = c[field as keyof Counts];
  // A count an older benchline did not record (unsent, say) was zero then.
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  return Array.isArray(v) ? v.reduce((n, r) => n + r.count, 0) : sum(v);
}

/** The metric's value in a run; undefined when the run did not produce it. */
export function metricValue(run: MetricSource, name: string): number | undefined {
  const [group, field, figure] = name.split(".") as [string, string, string];
  if (group === "faults") {
    const fault = run.faults?.find((f) => f.name === field);
    if (!fault?.fired) return undefined;
    // A fault the run never recovered from took longer than any limit.
    if (figure === "recoveryMs") return fault.recovered ? fault.recoveryMs : Number.POSITIVE_INFINITY;
    return fault.unavailableMs;
  }
  // A run without operation clients has no op throughput; older results lack the fields altogether.
  if (group === "throughput") return run.throughput[field as keyof RunResult["throughput"]];
  if (group === "counts") return countValue(run.counts, field);
  if (group === "rates") {
    const c = run.counts;
    const denominator =
      field === "lost"
        ? c.acked
        : field.startsWith("op") || field.startsWith("kv")
          ? (c.ops ?? 0)
          : c.published;
    if (denominator === 0) return 0;
    return countValue(c, field) / denominator;
  }
  const block = run.latency[group as LatencyKind];
  if (!block) return undefined;
  return block[LATENCY_STATS[field as keyof typeof LATENCY_STATS]];
}

/** The latency kinds a profile's runs will produce, known before running it. */
export function latencyKindsOf(profile: Profile): Set<LatencyKind> {
  const kinds = new Set<LatencyKind>();
  const load = wholeLoad(profile);
  for (const p of load.publishers) {
    if (p.mode === "jetstream") kinds.add("pubAck").add("pubAckRaw");
    if (p.mode === "request") kinds.add("request");
    if (p.ratePerSec !== "max") kinds.add("sendLag");
  }
  for (const k of opLatencyKinds(profile)) kinds.add(k);
  // A consume-only run drains messages benchline did not time.
  const timed = load.publishers.some((p) => p.timing !== "off");
  for (const c of load.consumers) {
    if (timed) kinds.add("e2e");
    if (c.doubleAck && c.ackPolicy === "explicit" && c.kind !== "core" && c.kind !== "queue")
      kinds.add("ack");
  }
  return kinds;
}

/** Whether a profile's runs produce this metric at all. */
export function profileProduces(profile: Profile, name: string): boolean {
  const [group, field] = name.split(".") as [string, string];
  if (group === "faults") return (profile.faults ?? []).some((f) => f.name === field);
  if (name === "counts.lostAcked")
    return profile.faults !== undefined && wholeLoad(profile).publishers.some((p) => p.mode === "jetstream");
  if (group === "throughput" && OP_THROUGHPUT.has(field)) return opLatencyKinds(profile).size > 0;
  if (group === "throughput") return !field.startsWith("consumed") || wholeLoad(profile).consumers.length > 0;
  if (group === "counts" || group === "rates") return true;
  return latencyKindsOf(profile).has(group as LatencyKind);
}

/** The metrics a compare looks at by default, among those the baseline's profile produces. */
export function defaultCompareMetrics(profile: Profile): string[] {
  const names: string[] = [];
  for (const kind of ["pubAck", "e2e", "request", ...OP_LATENCY_KINDS] as const) {
    for (const stat of ["p50", "p95", "p99"]) names.push(`${kind}.${stat}`);
  }
  for (const f of profile.faults ?? [])
    names.push(`faults.${f.name}.recoveryMs`, `faults.${f.name}.unavailableMs`);
  names.push("counts.lostAcked");
  const ops = opLatencyKinds(profile).size > 0;
  if (ops) names.push("throughput.opsPerSec", "rates.opErrors");
  const publishes = wholeLoad(profile).publishers.length > 0;
  if (publishes || !ops)
    names.push(
      "throughput.publishedPerSec",
      "throughput.consumedPerSec",
      "rates.publishErrors",
      "rates.lost",
    );
  // Not rates.lateSends: it measures the generator's host, not the system under test. The latency of an
  // open-loop run counts from the intended send time, so lateness that matters already shows there;
  // gating on it too failed an A/A compare on its own (docs/benchmarks.md). Late candidates and
  // baseline runs are warned about instead, and `--metric rates.lateSends` still tests it.
  return names.filter((n) => profileProduces(profile, n));
}

/** The latency kinds of a profile's KV, Object Store and direct get load. */
export function opLatencyKinds(profile: Profile): Set<LatencyKind> {
  const kinds = new Set<LatencyKind>();
  const kv = profile.kv;
  const open = (rate: number | "max") => rate !== "max";
  for (const c of kv?.clients ?? []) {
    if (c.mix.get > 0) kinds.add("kvGet");
    if (c.mix.put > 0) kinds.add("kvPut");
    if (c.mix.update > 0) kinds.add("kvUpdate");
    if (c.mix.delete > 0) kinds.add("kvDelete");
    if (open(c.ratePerSec)) kinds.add("sendLag");
  }
  if (kv?.watchers && kv.clients.some((c) => c.mix.put + c.mix.update > 0)) kinds.add("kvWatch");
  for (const c of profile.objects?.clients ?? []) {
    if (c.mix.put > 0) kinds.add("objPut");
    if (c.mix.get > 0) kinds.add("objGet");
    if (open(c.ratePerSec)) kinds.add("sendLag");
  }
  for (const c of profile.direct?.clients ?? []) {
    kinds.add("directGet");
    if (open(c.ratePerSec)) kinds.add("sendLag");
  }
  return kinds;
}
