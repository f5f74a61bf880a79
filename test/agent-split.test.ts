import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AgentShare, apportion, splitPlan } from "../src/agents/split.js";
import { buildPlan, type Plan } from "../src/engine/plan.js";
import type { ClientTask } from "../src/engine/protocol.js";
import { parseProfileText } from "../src/profile/loader.js";

const profile = (text: string) => parseProfileText(text, "p.yaml", {}).profile;

/** A profile of the given entry counts: JetStream and core publishers, pull and core consumers, KV. */
function shapedPlan(shape: {
  js: number[];
  core: number[];
  pull: number[];
  coreSubs: number[];
  kv: number[];
  watchers: number;
  responders: number;
  messages?: number;
}): Plan {
  const lines = ["stream: {name: S, subjects: ['s.>']}", "publishers:"];
  for (const [i, count] of shape.js.entries())
    lines.push(`  - {mode: jetstream, subject: s.j${i}, count: ${count}, rate: ${1000 + i * 37}}`);
  for (const [i, count] of shape.core.entries())
    lines.push(`  - {mode: core, subject: c.p${i}, count: ${count}, rate: ${777 * (i + 1)}}`);
  if (shape.responders > 0) lines.push("  - {mode: request, subject: r.x, count: 1, rate: 100}");
  if (lines.at(-1) === "publishers:") lines.pop();
  lines.push("consumers:");
  for (const count of shape.pull) lines.push(`  - {kind: pull, count: ${count}}`);
  for (const count of shape.coreSubs) lines.push(`  - {kind: core, subject: 'c.>', count: ${count}}`);
  if (lines.at(-1) === "consumers:") lines.pop();
  if (shape.responders > 0) lines.push(`responders: [{subject: r.x, count: ${shape.responders}}]`);
  if (shape.kv.length > 0) {
    lines.push("kv:", "  bucket: {name: B}", "  keys: {count: 10}", "  clients:");
    for (const [i, count] of shape.kv.entries())
      lines.push(`    - {count: ${count}, rate: ${50 * (i + 1)}, mix: {get: 100}}`);
    if (shape.watchers > 0) lines.push(`  watchers: {count: ${shape.watchers}}`);
  }
  if (shape.messages !== undefined) lines.push(`messages: ${shape.messages}`);
  return buildPlan(profile(lines.join("\n")), "r", 3);
}

const rateOf = (c: ClientTask) =>
  (c.role === "publisher" || c.role === "op") && c.ratePerSec !== "max" ? c.ratePerSec : 0;
const entryOf = (c: ClientTask): object => (c.role === "op" ? c.op : c.role === "watcher" ? c.kv : c.spec);

/** Everything the split promises, checked on one plan and one set of weights. */
function checkSplit(plan: Plan, weights: number[], threads: number, connections = 2): AgentShare[] {
  const before = JSON.stringify(plan);
  const shares = splitPlan(plan, weights, () => threads, connections);
  expect(JSON.stringify(plan)).toBe(before);
  expect(shares.map((s) => s.agent)).toEqual(weights.map((_, i) => i));
  const total = weights.reduce((a, b) => a + b, 0);
  // Every client exactly once, unchanged but for its connection.
  const all = shares.flatMap((s) => s.clients);
  expect(all.map((c) => c.slot).sort((a, b) => a - b)).toEqual(plan.clients.map((c) => c.slot));
  for (const c of all) {
    const original = plan.clients.find((p) => p.slot === c.slot)!;
    expect({ ...c, connection: 0 }).toEqual({ ...original, connection: 0 });
  }
  // Per entry, each agent runs floor or ceil of its part; the rates add up to the entry's.
  const entries = new Map<object, ClientTask[]>();
  for (const c of plan.clients) entries.set(entryOf(c), [...(entries.get(entryOf(c)) ?? []), c]);
  for (const instances of entries.values()) {
    const slots = new Set(instances.map((c) => c.slot));
    let rate = 0;
    shares.forEach((s, i) => {
      const mine = s.clients.filter((c) => slots.has(c.slot));
      const exact = (weights[i]! * instances.length) / total;
      expect(mine.length).toBeGreaterThanOrEqual(Math.floor(exact));
      expect(mine.length).toBeLessThanOrEqual(Math.ceil(exact));
      rate += mine.reduce((n, c) => n + rateOf(c), 0);
    });
    const whole = instances.reduce((n, c) => n + rateOf(c), 0);
    expect(rate).toBeCloseTo(whole, 6);
  }
  // Totals: rate, publishers, message quotas.
  const sum = (list: ClientTask[], f: (c: ClientTask) => number) => list.reduce((n, c) => n + f(c), 0);
  expect(sum(all, rateOf)).toBeCloseTo(sum(plan.clients, rateOf), 6);
  const quota = (c: ClientTask) => (c.role === "publisher" ? (c.quota ?? 0) : 0);
  expect(sum(all, quota)).toBe(sum(plan.clients, quota));
  // Threads: numbered 0..T-1 across agents, each a partition of its agent's clients.
  const numbers = shares.flatMap((s) => s.threads.map((t) => t.thread));
  expect(numbers).toEqual(numbers.map((_, i) => i));
  for (const s of shares) {
    expect(s.fraction).toBeCloseTo(weights[s.agent]! / total, 12);
    expect(s.threads.length).toBe(s.clients.length === 0 ? 0 : Math.min(threads, s.clients.length));
    expect(
      s.threads
        .flatMap((t) => t.clients)
        .map((c) => c.slot)
        .sort((a, b) => a - b),
    ).toEqual(s.clients.map((c) => c.slot));
    for (const t of s.threads) for (const c of t.clients) expect(c.connection).toBeLessThan(connections);
  }
  return shares;
}

describe("apportion", () => {
  it("gives every part floor or ceil of its exact share, and the parts add up, for every small case", () => {
    for (let agents = 1; agents <= 6; agents++) {
      for (let count = 0; count <= 25; count++) {
        for (const weights of [
          Array(agents).fill(1),
          Array.from({ length: agents }, (_, i) => i + 1),
          Array.from({ length: agents }, (_, i) => (i % 2 ? 8 : 2)),
        ]) {
          const parts = apportion(
            count,
            weights,
            weights.map(() => 0),
          );
          const total = weights.reduce((a, b) => a + b, 0);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(count);
          parts.forEach((n, i) => {
            expect(n).toBeGreaterThanOrEqual(Math.floor((weights[i]! * count) / total));
            expect(n).toBeLessThanOrEqual(Math.ceil((weights[i]! * count) / total));
          });
        }
      }
    }
  });

  it("gives an even remainder to whoever is furthest behind", () => {
    expect(apportion(1, [1, 1, 1], [0, 0, 0])).toEqual([1, 0, 0]);
    expect(apportion(1, [1, 1, 1], [-2, 1, 1])).toEqual([0, 1, 0]);
    expect(apportion(2, [1, 1, 1], [-2, 1, 1])).toEqual([0, 1, 1]);
    // A larger remainder wins over being behind.
    expect(apportion(1, [1, 2], [5, 0])).toEqual([0, 1]);
  });
});

describe("splitPlan", () => {
  it("splits one publisher and one consumer over two agents, one each", () => {
    const plan = shapedPlan({
      js: [1],
      core: [],
      pull: [1],
      coreSubs: [],
      kv: [],
      watchers: 0,
      responders: 0,
    });
    const shares = checkSplit(plan, [1, 1], 4);
    expect(shares.map((s) => s.clients.map((c) => c.role))).toEqual([["consumer"], ["publisher"]]);
  });

  it("leaves an agent without clients without threads when there are fewer instances than agents", () => {
    const plan = shapedPlan({
      js: [1],
      core: [],
      pull: [1],
      coreSubs: [],
      kv: [],
      watchers: 0,
      responders: 0,
    });
    const shares = checkSplit(plan, [1, 1, 1], 2);
    expect(shares.map((s) => s.clients.length)).toEqual([1, 1, 0]);
    expect(shares[2]!.threads).toEqual([]);
  });

  it("weighs by CPUs: 2 and 6 CPUs take a quarter and three quarters of an entry of 8", () => {
    const plan = shapedPlan({
      js: [8],
      core: [],
      pull: [],
      coreSubs: [],
      kv: [],
      watchers: 0,
      responders: 0,
    });
    const shares = checkSplit(plan, [2, 6], 8);
    expect(shares.map((s) => s.clients.length)).toEqual([2, 6]);
    expect(shares.map((s) => s.clients.reduce((n, c) => n + rateOf(c), 0))).toEqual([250, 750]);
  });

  it("adds up for every agent count from 1 to 8 over a grid of plan shapes", () => {
    const shapes = [
      { js: [6], core: [], pull: [3], coreSubs: [], kv: [], watchers: 0, responders: 0 },
      {
        js: [1, 2, 3],
        core: [5],
        pull: [1, 4],
        coreSubs: [2],
        kv: [],
        watchers: 0,
        responders: 0,
        messages: 1001,
      },
      { js: [], core: [7], pull: [], coreSubs: [1, 1, 1], kv: [3, 1], watchers: 2, responders: 3 },
      { js: [13], core: [], pull: [11], coreSubs: [], kv: [], watchers: 0, responders: 0, messages: 97 },
    ];
    for (const shape of shapes) {
      const plan = shapedPlan(shape);
      for (let agents = 1; agents <= 8; agents++) {
        checkSplit(plan, Array(agents).fill(1), 2);
        checkSplit(
          plan,
          Array.from({ length: agents }, (_, i) => 1 + ((i * 5) % 7)),
          3,
          1,
        );
      }
    }
  });

  it("adds up for random plans and weights", () => {
    const counts = (max: number) => fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: max });
    fc.assert(
      fc.property(
        fc.record({
          js: counts(3),
          core: counts(2),
          pull: counts(2),
          coreSubs: counts(2),
          kv: counts(2),
          watchers: fc.integer({ min: 0, max: 3 }),
          responders: fc.integer({ min: 0, max: 3 }),
          messages: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
        }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 6 }),
        (shape, weights, threads) => {
          if (shape.js.length + shape.core.length + shape.kv.length === 0) shape.js.push(1);
          checkSplit(shapedPlan(shape), weights, threads);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses weights that are not positive whole numbers", () => {
    const plan = shapedPlan({
      js: [1],
      core: [],
      pull: [],
      coreSubs: [],
      kv: [],
      watchers: 0,
      responders: 0,
    });
    expect(() => splitPlan(plan, [], () => 1, 1)).toThrow(
      new TypeError("weights must be positive whole numbers, not []"),
    );
    expect(() => splitPlan(plan, [1, 0.5], () => 1, 1)).toThrow(TypeError);
    expect(() => splitPlan(plan, [2, 0], () => 1, 1)).toThrow(TypeError);
  });
});
