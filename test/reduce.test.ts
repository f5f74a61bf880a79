/**
 * The reducers of whole results (tenants, agents' shares): every field of Counts and Throughput is
 * summed, so a field added later cannot be forgotten. The fixtures are `Required<...>`: a new field
 * fails the typecheck here until it is given a value, and then this test checks it is summed.
 */
import { describe, expect, it } from "vitest";
import type { Counts, Throughput } from "../src/contract/result.js";
import { mergeDrains, sumCounts, sumThroughput } from "../src/engine/reduce.js";

function counts(k: number): Required<Counts> {
  return {
    published: 100 * k,
    acked: 90 * k,
    consumed: 80 * k,
    publishErrors: { timeout: k, "api:10077": 2 * k },
    consumerErrors: { pull409: k },
    redeliveries: 3 * k,
    duplicates: 4 * k,
    gaps: 5 * k,
    lost: 6 * k,
    lateSends: 7 * k,
    lateSendsWindowFull: 8 * k,
    unsent: 9 * k,
    reconnects: 10 * k,
    permissionViolations: 11 * k,
    permissionRefusals: [{ operation: "publish", subject: "a.b", count: 11 * k, grant: "a.b" }],
    lostAcked: 12 * k,
    ops: 13 * k,
    opErrors: { timeout: 14 * k },
    kvMisses: 15 * k,
    kvConflicts: 16 * k,
    objChecksumFailures: 17 * k,
    watchUpdates: 18 * k,
  };
}

function throughput(k: number): Required<Throughput> {
  return {
    publishedPerSec: 1000 * k,
    consumedPerSec: 900 * k,
    publishedBytesPerSec: 128_000 * k,
    consumedBytesPerSec: 115_200 * k,
    opsPerSec: 50 * k,
    readBytesPerSec: 10 * k,
    writtenBytesPerSec: 20 * k,
  };
}

describe("sumCounts and sumThroughput", () => {
  const parts = [1, 2, 3, 4];
  const total = parts.reduce((a, b) => a + b, 0);

  it("sums every field of Counts over N parts", () => {
    const merged = sumCounts(parts.map(counts));
    const one = counts(1);
    for (const [key, value] of Object.entries(one)) {
      const got = merged[key as keyof Counts];
      if (typeof value === "number") expect(got, key).toBe(value * total);
      else if (Array.isArray(value))
        expect(got, key).toEqual([{ operation: "publish", subject: "a.b", count: 11 * total, grant: "a.b" }]);
      else
        expect(got, key).toEqual(
          Object.fromEntries(Object.entries(value).map(([k, n]) => [k, (n as number) * total])),
        );
    }
    expect(Object.keys(merged).sort()).toEqual(Object.keys(one).sort());
  });

  it("sums every field of Throughput over N parts, to a tenth", () => {
    const merged = sumThroughput(parts.map(throughput));
    for (const [key, value] of Object.entries(throughput(1)))
      expect(merged[key as keyof Throughput], key).toBe(value * total);
  });

  it("keeps a field absent only where every part lacks it", () => {
    const a = { ...counts(1) } as Counts;
    delete a.lostAcked;
    const b = { ...counts(1) } as Counts;
    delete b.lostAcked;
    expect(sumCounts([a, b]).lostAcked).toBeUndefined();
    expect(sumCounts([a, counts(2)]).lostAcked).toBe(24);
  });

  it("drains side by side: backlogs added, drained when all were, the longest drain", () => {
    expect(
      mergeDrains([
        { backlogMsgs: 1000, consumedMsgs: 1000, drained: true, drainS: 2, drainedPerSec: 500 },
        undefined,
        { backlogMsgs: 3000, consumedMsgs: 2000, drained: false, drainS: 4, drainedPerSec: 500 },
      ]),
    ).toEqual({ backlogMsgs: 4000, consumedMsgs: 3000, drained: false, drainS: 4, drainedPerSec: 750 });
    expect(mergeDrains([undefined])).toBeUndefined();
  });
});
