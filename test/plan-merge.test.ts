import { describe, expect, it } from "vitest";
import { mergeCounts, mergeIntervals, mergeLatency, mergeThroughput } from "../src/engine/merge.js";
import { buildPlan } from "../src/engine/plan.js";
import {
  type ClientResult,
  emptyResult,
  type IntervalSnapshot,
  type ThreadResult,
} from "../src/engine/protocol.js";
import { createHistogram, encodeHistogram, LATENCY_BUCKETS_S, recordUs } from "../src/metrics/histogram.js";
import { parseProfileText } from "../src/profile/loader.js";

const profile = (text: string) => parseProfileText(text, "p.yaml", {}).profile;

describe("plan", () => {
  const p = profile(`
stream: {name: S, subjects: ["s.>"]}
publishers:
  - {mode: jetstream, subject: s.x, count: 3, rate: 300}
  - {mode: core, subject: c.x, count: 1}
consumers:
  - {kind: pull, count: 2}
  - {kind: core, subject: "c.>", count: 2}
workers: 2
messages: 1000
`);
  const plan = buildPlan(p, "r1");

  it("gives every instance a slot and spreads receivers and publishers over the threads", () => {
    expect(plan.clients.map((c) => `${c.role}:${c.id}@${c.slot}`)).toEqual([
      "consumer:0@0",
      "consumer:1@1",
      "consumer:2@2",
      "consumer:3@3",
      "publisher:0@4",
      "publisher:1@5",
      "publisher:2@6",
      "publisher:3@7",
    ]);
    expect(plan.threads.map((t) => t.clients.map((c) => c.slot))).toEqual([
      [0, 2, 4, 6],
      [1, 3, 5, 7],
    ]);
  });

  it("splits an entry's rate over its publishers and interleaves them", () => {
    const pubs = plan.clients.filter((c) => c.role === "publisher");
    expect(pubs.map((c) => (c.role === "publisher" ? [c.ratePerSec, Math.round(c.offsetNs)] : []))).toEqual([
      [100, 0],
      [100, 3_333_333],
      [100, 6_666_667],
      ["max", 0],
    ]);
    expect(pubs.map((c) => (c.role === "publisher" ? c.quota : 0))).toEqual([250, 250, 250, 250]);
  });

  it("groups a shared durable's consumers once and fans core subscribers out", () => {
    expect(plan.groups).toEqual([
      { name: "pull-consumer-0", consumerIds: [0, 1], publisherIds: [0, 1, 2] },
      { name: "core-consumer-1#0", consumerIds: [2], publisherIds: [3] },
      { name: "core-consumer-1#1", consumerIds: [3], publisherIds: [3] },
    ]);
    expect(plan.durables.map((d) => d.name)).toEqual(["benchline-r1-c0"]);
  });

  it("marks consumers of a run without publishers consume-only (they begin at the start instant), others not", () => {
    const consumeOnly = buildPlan(
      profile(`stream: {name: S, subjects: ["s.>"]}\nconsumers: [{kind: pull, count: 2, deliver: all}]\n`),
      "r2",
    );
    const flags = (q: typeof plan) =>
      q.clients.flatMap((c) =>
        c.role === "consumer" ? [[c.consumeOnly ?? false, c.anyPayload ?? false]] : [],
      );
    expect(flags(consumeOnly)).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(flags(plan)).toEqual([
      [false, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });
});

function bits(...seqs: number[]): Uint8Array {
  const b = new Uint8Array(4);
  for (const s of seqs) b[s >> 3]! |= 1 << (s & 7);
  return b;
}

function client(partial: Partial<ClientResult> & Pick<ClientResult, "id" | "role">): ClientResult {
  return { ...emptyResult(partial.id, partial.role), ...partial };
}

describe("merge", () => {
  const p = profile(`
publishers: [{subject: q.x, count: 1}]
consumers: [{kind: queue, subject: "q.>", count: 2}]
workers: 2
`);
  const plan = buildPlan(p, "r2");

  it("counts loss against what was acknowledged, and cross-member duplicates, per group", () => {
    const threads: ThreadResult[] = [
      {
        thread: 0,
        clients: [
          client({
            id: 0,
            role: "publisher",
            sent: 10,
            acked: 9,
            acknowledged: bits(0, 1, 2, 3, 4, 5, 6, 7, 8),
          }),
          client({ id: 0, role: "consumer", seen: [bits(0, 1, 2, 3)], duplicates: 1 }),
        ],
        histograms: {},
        errors: { timeout: 1 },
        reconnects: 0,
        permissionViolations: 0,
      },
      {
        thread: 1,
        clients: [client({ id: 1, role: "consumer", seen: [bits(3, 4, 5, 9)], redeliveries: 2 })],
        histograms: {},
        errors: { foreignMessage: 2, pull409: 1 },
        reconnects: 1,
        permissionViolations: 3,
      },
    ];
    const counts = mergeCounts(plan, threads);
    // Union {0,1,2,3,4,5,9}: 7 distinct; acked 6, 7, 8 never arrived; seq 3 twice across members.
    expect(counts).toMatchObject({
      published: 10,
      acked: 9,
      consumed: 7,
      lost: 3,
      duplicates: 2,
      redeliveries: 2,
      publishErrors: { timeout: 1 },
      // A refused pull request is the consumer's, not a failed publish the error ratio would count.
      consumerErrors: { foreignMessage: 2, pull409: 1 },
      reconnects: 1,
      permissionViolations: 3,
    });
    expect(counts.publishErrors).toEqual({ timeout: 1 });
  });

  it("takes percentiles from the merged histogram, never from averaged percentiles", () => {
    const fast = createHistogram();
    const slow = createHistogram();
    for (let i = 0; i < 990; i++) recordUs(fast, 100);
    for (let i = 0; i < 10; i++) recordUs(slow, 50_000);
    const latency = mergeLatency([
      {
        thread: 0,
        clients: [],
        histograms: { e2e: encodeHistogram(fast) },
        errors: {},
        reconnects: 0,
        permissionViolations: 0,
      },
      {
        thread: 1,
        clients: [],
        histograms: { e2e: encodeHistogram(slow) },
        errors: {},
        reconnects: 0,
        permissionViolations: 0,
      },
    ]);
    // Averaging the two p99s would say ~25 ms; the merged p99 of 1000 samples is 100 us, p99.9 is 50 ms.
    expect(latency.e2e).toMatchObject({ count: 1000, p50Us: 100, p99Us: 100, maxUs: 50_015 });
    expect(latency.e2e!.p999Us).toBeGreaterThanOrEqual(49_975);
  });

  it("merges intervals by index whatever order they arrive in, and labels phases", () => {
    const h = createHistogram();
    recordUs(h, 700);
    const enc = encodeHistogram(h);
    const snap = (thread: number, index: number, published: number) => ({
      thread,
      index,
      published,
      acked: published,
      consumed: 0,
      errors: 0,
      errorKinds: {},
      histograms: { pubAck: enc },
    });
    const points = mergeIntervals(
      [snap(1, 2, 5), snap(0, 0, 1), snap(0, 2, 7), snap(1, 0, 2), snap(0, 1, 3)],
      1e9,
      2e9,
    );
    expect(points.map((x) => [x.t, x.phase, x.published, x.pubAckP99Us])).toEqual([
      [1, "warmup", 3, 700],
      [2, "measure", 3, 700],
      [3, "drain", 12, 700],
    ]);
  });

  it("adds each second of intended send time from every thread's parts, successes and failures apart", () => {
    const hdr = (...us: number[]) => {
      const h = createHistogram();
      for (const v of us) recordUs(h, v);
      const e = encodeHistogram(h);
      h.destroy();
      return e;
    };
    const snap = (thread: number, index: number, intended: IntervalSnapshot["intended"]) => ({
      thread,
      index,
      published: 0,
      acked: 0,
      consumed: 0,
      errors: 0,
      errorKinds: {},
      histograms: {},
      ...(intended && { intended }),
    });
    const points = mergeIntervals(
      [
        snap(0, 0, undefined),
        snap(0, 1, undefined),
        snap(0, 2, undefined),
        // Second 1's parts come later, from two threads, one of them in two parts.
        snap(0, 3, [
          { index: 1, kind: "pubAck", hdr: hdr(1000, 1000) },
          { index: 1, kind: "pubAck", failed: true, hdr: hdr(2_000_000) },
        ]),
        snap(1, 3, [{ index: 1, kind: "pubAck", hdr: hdr(3000) }]),
        snap(1, 4, [{ index: 1, kind: "pubAck", failed: true, hdr: hdr(500) }]),
      ],
      1e9,
      4e9,
    );
    expect(points[0]!.byIntended).toBeUndefined();
    expect(points[1]!.byIntended).toEqual({
      pubAck: {
        succeeded: 3,
        failed: 2,
        p50Us: 1000,
        p99Us: 3001,
        maxUs: 3001,
        failedP99Us: 2_000_895,
        failedMaxUs: 2_000_895,
      },
    });
  });

  it("keeps each second's failed publishes by kind and its le buckets, for alert replays", () => {
    const fast = createHistogram();
    for (let i = 0; i < 3; i++) recordUs(fast, 700);
    const slow = createHistogram();
    recordUs(slow, 30_000);
    recordUs(slow, 4_000_000);
    const snap = (thread: number, h: typeof fast, errorKinds: Record<string, number>) => ({
      thread,
      index: 0,
      published: 10,
      acked: 10,
      consumed: 0,
      errors: Object.values(errorKinds).reduce((a, b) => a + b, 0),
      errorKinds,
      histograms: { pubAck: encodeHistogram(h) },
    });
    const [point] = mergeIntervals(
      [
        snap(0, fast, { timeout: 2, ackFailed: 5 }),
        snap(1, slow, { timeout: 1, "api:10077": 1, "kvGet:timeout": 4 }),
      ],
      0,
      1e9,
    );
    // Consumer (ackFailed) and operation (kvGet:...) errors are not failed publishes.
    expect(point!.publishErrors).toEqual({ timeout: 3, "api:10077": 1 });
    const le = point!.le!.pubAck!;
    expect(le).toHaveLength(LATENCY_BUCKETS_S.length + 1);
    const at = (s: number) => le[LATENCY_BUCKETS_S.indexOf(s)];
    // 700 us samples from the 1 ms bucket up, 30 ms from 50 ms, 4 s from 5 s; the last is the total.
    expect([at(0.0005), at(0.001), at(0.025), at(0.05), at(2.5), at(5), le.at(-1)]).toEqual([
      0, 3, 3, 4, 4, 5, 5,
    ]);
  });

  it("divides measured counts by the measured seconds", () => {
    const t = mergeThroughput(
      [
        {
          thread: 0,
          clients: [
            client({ id: 0, role: "publisher", measuredSent: 3000, measuredSentBytes: 384_000 }),
            client({ id: 0, role: "consumer", measuredConsumed: 2000, measuredConsumedBytes: 256_000 }),
          ],
          histograms: {},
          errors: {},
          reconnects: 0,
          permissionViolations: 0,
        },
      ],
      2,
    );
    expect(t).toEqual({
      publishedPerSec: 1500,
      consumedPerSec: 1000,
      publishedBytesPerSec: 192_000,
      consumedBytesPerSec: 128_000,
    });
  });
});
