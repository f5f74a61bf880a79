import { describe, expect, it } from "vitest";
import { defaultCompareMetrics, metricValue } from "../src/baseline/metrics.js";
import { faultMisfit } from "../src/faults/spec.js";
import { parseProfileText } from "../src/profile/loader.js";

const base = `
stream: {name: S, subjects: ["s.>"], replicas: 3}
publishers: [{mode: jetstream, subject: s.x, rate: 100}]
consumers: [{kind: pull}]
duration: 10s
`;
const load = (faults: string, head = base) =>
  parseProfileText(`${head}faults:\n${faults}`, "f.yaml", {}).profile;

describe("fault timeline in a profile", () => {
  it("resolves durations, names and default targets", () => {
    const p = load(`  - {kind: kill, target: streamLeader, at: 2s, for: 5s, name: leader-down}
  - {kind: stepdown, of: consumer, at: 4s}
  - {kind: network, at: 1500ms, for: 2s, delay: 20ms, jitter: 5ms, loss: "1%", bandwidth: 1MiB}
  - {kind: pause, at: 3, for: 1}
`);
    expect(p.faults).toEqual([
      { name: "leader-down", kind: "kill", target: "streamLeader", atMs: 2000, forMs: 5000 },
      {
        name: "stepdown-2",
        kind: "stepdown",
        target: "consumerLeader",
        of: "consumer",
        atMs: 4000,
        forMs: 0,
      },
      {
        name: "network-3",
        kind: "network",
        target: "clients",
        atMs: 1500,
        forMs: 2000,
        network: { delayMs: 20, jitterMs: 5, loss: 0.01, bandwidthBytesPerSec: 1048576 },
      },
      { name: "pause-4", kind: "pause", target: "random", atMs: 3000, forMs: 1000 },
    ]);
    // A fault run's clients keep reconnecting unless the profile says otherwise.
    expect(p.connection.reconnectAttempts).toBe(-1);
  });

  it.each([
    [
      "a pause without a duration",
      "  - {kind: pause, at: 1s}",
      "f.yaml: faults[0].for: a pause fault needs a duration: how long it lasts",
    ],
    [
      "a fault after the measured phase",
      "  - {kind: kill, at: 10s, for: 1s}",
      "f.yaml: faults[0].at: starts after the measured phase ends; make it earlier or the duration longer",
    ],
    [
      "a network fault with no effect",
      "  - {kind: network, at: 1s, for: 1s}",
      "f.yaml: faults[0]: a network fault needs an effect: delay, jitter, loss, bandwidth, blackhole or reset",
    ],
    [
      "a delay on a kill",
      "  - {kind: kill, at: 1s, for: 1s, delay: 5ms}",
      "f.yaml: faults[0]: delay, jitter, loss, bandwidth, blackhole and reset belong to network faults, not kill",
    ],
    [
      "clients as a kill's target",
      "  - {kind: kill, target: clients, at: 1s, for: 1s}",
      "f.yaml: faults[0].target: clients is a target for network faults; a kill acts on a node",
    ],
    [
      "a stepdown's duration",
      "  - {kind: stepdown, at: 1s, for: 1s}",
      "f.yaml: faults[0].for: a stepdown is an instant; leave out for",
    ],
    [
      "a name used twice",
      "  - {kind: pause, at: 1s, for: 1s, name: x}\n  - {kind: pause, at: 2s, for: 1s, name: x}",
      "f.yaml: faults[1].name: x is used twice; give each fault its own name",
    ],
    [
      "an unknown key",
      "  - {kind: pause, at: 1s, for: 1s, sigstop: true}",
      "f.yaml: unknown key faults[0].sigstop; remove it or check the spelling",
    ],
    [
      "a threshold on a fault that is not there",
      "  - {kind: pause, at: 1s, for: 1s}\nthresholds: {faults.nope.recoveryMs: '< 1s'}",
      "f.yaml: thresholds.faults.nope.recoveryMs: the profile has no fault named nope; name one of its faults",
    ],
  ])("refuses %s with one line", (_, faults, message) => {
    expect(() => load(faults)).toThrow(message);
  });

  it("refuses a stream stepdown on an R1 stream, and a consumer leader without a durable", () => {
    const r1 = `publishers: [{mode: jetstream, subject: s.x, rate: 100}]\nstream: {name: S, subjects: ["s.>"]}\n`;
    expect(() => load("  - {kind: stepdown, at: 1s}", r1)).toThrow(
      "f.yaml: faults[0].of: a stream leader steps down only to another replica; give the stream replicas of 2 or more",
    );
    expect(() => load("  - {kind: pause, target: consumerLeader, at: 1s, for: 1s}", r1)).toThrow(
      "f.yaml: faults[0].target: consumerLeader needs a pull or push consumer (a durable) in the profile",
    );
  });

  it("takes thresholds on fault figures in time units", () => {
    const p = load(
      "  - {kind: pause, at: 1s, for: 1s, name: freeze}\nthresholds: {faults.freeze.recoveryMs: '< 2s', counts.lostAcked: '== 0'}",
    );
    expect(p.thresholds.map((t) => [t.metric, t.limit])).toEqual([
      ["faults.freeze.recoveryMs", 2000],
      ["counts.lostAcked", 0],
    ]);
  });

  it("refuses process faults on named servers without commands, and nodes that are not there", () => {
    const [kill, net] = load(`  - {kind: kill, target: 2, at: 1s, for: 1s}
  - {kind: network, at: 2s, for: 1s, reset: true}
`).faults!;
    expect(faultMisfit(kill!, { embedded: false, nodes: 3 })).toBe(
      "a kill on servers benchline did not start needs command.kill and command.start (benchline never guesses a pid); add them, or run on an embedded server",
    );
    expect(faultMisfit(kill!, { embedded: true, nodes: 3 })).toBeUndefined();
    expect(faultMisfit(kill!, { embedded: true, nodes: 1 })).toBe(
      "node 2 does not exist: the target has 1 node",
    );
    expect(faultMisfit(net!, { embedded: false, nodes: 1 })).toBeUndefined();
    const [withCommands] = load(
      `  - {kind: pause, target: 1, at: 1s, for: 1s, command: {pause: "kill -STOP 1", resume: "kill -CONT 1"}}\n`,
    ).faults!;
    expect(faultMisfit(withCommands!, { embedded: false, nodes: 1 })).toBeUndefined();
  });
});

describe("fault figures as metrics", () => {
  const p = parseProfileText(
    `${base}faults:\n  - {kind: kill, target: streamLeader, at: 2s, for: 1s, name: down}\n`,
    "f.yaml",
    {},
  ).profile;

  it("are compared by default, with the acked-loss count", () => {
    expect(defaultCompareMetrics(p)).toEqual(
      expect.arrayContaining(["faults.down.recoveryMs", "faults.down.unavailableMs", "counts.lostAcked"]),
    );
  });

  it("read from a run; a fault never recovered from took longer than any limit", () => {
    const run = (recovered: boolean) => ({
      throughput: { publishedPerSec: 0, consumedPerSec: 0, publishedBytesPerSec: 0, consumedBytesPerSec: 0 },
      counts: {} as never,
      latency: {},
      faults: [
        {
          name: "down",
          kind: "kill",
          target: "streamLeader" as const,
          fired: true,
          unavailableMs: 4200,
          recovered,
          ...(recovered && { recoveryMs: 800 }),
          errors: {},
          reconnects: 0,
          reconnectMs: [],
          latency: {},
        },
      ],
    });
    expect(metricValue(run(true), "faults.down.recoveryMs")).toBe(800);
    expect(metricValue(run(true), "faults.down.unavailableMs")).toBe(4200);
    expect(metricValue(run(false), "faults.down.recoveryMs")).toBe(Number.POSITIVE_INFINITY);
    expect(metricValue(run(true), "faults.other.recoveryMs")).toBeUndefined();
  });
});
