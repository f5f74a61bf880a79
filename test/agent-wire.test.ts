import { randomFillSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type AgentInfo, parseAgentCount, pickAgents } from "../src/agents/discovery.js";
import { urlsForAgents } from "../src/agents/executor.js";
import { fitSnapshot } from "../src/agents/share.js";
import {
  Assembly,
  cut,
  decodeRows,
  decodeValue,
  encodeRows,
  encodeValue,
  parseChunk,
} from "../src/agents/wire.js";
import { controlSpec } from "../src/commands/control-options.js";
import type { AgentEnv } from "../src/contract/env.js";
import { COUNTER_FIELDS, COUNTER_STRIDE, HEADER_FIELDS, type ThreadResult } from "../src/engine/protocol.js";
import { e2eClockWarning } from "../src/engine/warnings.js";
import { generatorLine } from "../src/report/generator-line.js";
import { fixtureBlock, fixtureEnv, fixtureRun } from "./fixtures/run-result.js";

describe("the wire between coordinator and agents", () => {
  it("carries thread results, typed arrays and all, through parts that fit max_payload", () => {
    // Random bits do not compress: the value needs several parts.
    const seen = randomFillSync(new Uint8Array(300_000));
    const result: ThreadResult = {
      thread: 3,
      clients: [
        {
          id: 1,
          role: "consumer",
          sent: 0,
          sentBytes: 0,
          acked: 0,
          consumed: 5,
          consumedBytes: 9,
          duplicates: 0,
          redeliveries: 0,
          gaps: 0,
          measuredSent: 0,
          measuredSentBytes: 0,
          measuredAcked: 0,
          measuredConsumed: 4,
          measuredConsumedBytes: 8,
          lateSends: 0,
          unsent: 0,
          seen: [seen, null],
        },
      ],
      histograms: { e2e: "HISTFAAAA" },
      errors: { timeout: 2 },
      reconnects: 0,
      permissionViolations: 0,
      successes: { publishes: { gaps: [1, 2], ticks: [3] } },
    };
    const bytes = encodeValue([result]);
    const parts = cut(bytes, 64 * 1024);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(64 * 1024 - 8 * 1024);
    const assembly = new Assembly(parts.length);
    // Out of order, one part twice: the value comes back whole once, exactly.
    const order = [...parts.keys()].reverse();
    let whole: Uint8Array | undefined;
    for (const i of [order[0]!, ...order]) whole = assembly.add(i, parts[i]!) ?? whole;
    const back = decodeValue<ThreadResult[]>(whole!);
    expect(back).toEqual([result]);
    expect(back[0]!.clients[0]!.seen![0]).toBeInstanceOf(Uint8Array);
  });

  it("cuts even an empty value into one part, and refuses a part out of range", () => {
    expect(cut(new Uint8Array(0), 1024 * 1024)).toHaveLength(1);
    expect(() => new Assembly(2).add(2, new Uint8Array(1))).toThrow(RangeError);
    expect(parseChunk("1/3")).toEqual([1, 3]);
    for (const bad of [undefined, "", "3/3", "1/0", "a/b", "-1/2"]) expect(parseChunk(bad)).toBeUndefined();
  });

  it("puts an agent's counter rows into the coordinator's counters at the agent's slots only", () => {
    const at = { header: HEADER_FIELDS, stride: COUNTER_STRIDE };
    const agent = new Float64Array(HEADER_FIELDS + 4 * COUNTER_STRIDE);
    agent.fill(-1);
    agent.set([10, 9, 0, 0, 1], HEADER_FIELDS + 1 * COUNTER_STRIDE);
    agent.set([0, 0, 2, 77, 0], HEADER_FIELDS + 3 * COUNTER_STRIDE);
    const wire = encodeRows(agent, [1, 3], COUNTER_FIELDS, at);
    // Only the fields in use travel: 5 a row, not the row's padding to a cache line.
    expect(wire.length).toBe(2 * 5 * 8);
    const coordinator = new Float64Array(agent.length);
    decodeRows(wire, coordinator, [1, 3], COUNTER_FIELDS, at);
    const row = (slot: number) => [
      ...coordinator.subarray(
        HEADER_FIELDS + slot * COUNTER_STRIDE,
        HEADER_FIELDS + (slot + 1) * COUNTER_STRIDE,
      ),
    ];
    expect([...coordinator.subarray(0, HEADER_FIELDS)]).toEqual(Array(HEADER_FIELDS).fill(0));
    expect(row(0)).toEqual(Array(COUNTER_STRIDE).fill(0));
    expect(row(1)).toEqual([10, 9, 0, 0, 1, 0, 0, 0]);
    expect(row(2)).toEqual(Array(COUNTER_STRIDE).fill(0));
    expect(row(3)).toEqual([0, 0, 2, 77, 0, 0, 0, 0]);
    // Rows of another shape (another plan) are ignored, not misread.
    decodeRows(new Uint8Array(8), coordinator, [1, 3], COUNTER_FIELDS, at);
    expect(coordinator[HEADER_FIELDS + COUNTER_STRIDE]).toBe(10);
  });

  it("sends a second's snapshot whole, or its counts alone under a max_payload too small for it", () => {
    const snapshot = {
      thread: 1,
      index: 4,
      published: 10,
      acked: 9,
      consumed: 8,
      errors: 1,
      errorKinds: { timeout: 1 },
      histograms: { e2e: "H".repeat(3000) },
    };
    expect(JSON.parse(fitSnapshot(snapshot, 1024 * 1024))).toEqual(snapshot);
    expect(JSON.parse(fitSnapshot(snapshot, 4096))).toEqual({ ...snapshot, histograms: {} });
  });

  it("gives agents the server URLs without the coordinator's user:password", () => {
    expect(
      urlsForAgents(["nats://alice:s3cret@staging:4222", "nats://staging-2:4222", "tls://tok@h:4443"]),
    ).toEqual(["nats://staging:4222", "nats://staging-2:4222", "tls://h:4443"]);
  });
});

const agent = (name: string, over: Partial<AgentInfo> = {}): AgentInfo => ({
  id: `id-${name}`,
  name,
  host: "h",
  cpus: 2,
  version: "0.1.0",
  node: "v20",
  prefix: "benchline",
  boot: "b",
  status: { busy: false, draining: false },
  ...over,
});

describe("picking agents", () => {
  const want = { count: 2 as number | "all", prefix: "benchline", version: "0.1.0" };
  const url = "nats://control:4222";

  it("takes idle agents of the tag, prefix and version, in name order", () => {
    const found = [
      agent("a"),
      agent("b", { tag: "x" }),
      agent("c", { tag: "x" }),
      agent("d", { prefix: "other" }),
    ];
    expect(pickAgents(found, want, url).map((a) => a.name)).toEqual(["a", "b"]);
    expect(pickAgents(found, { ...want, tag: "x" }, url).map((a) => a.name)).toEqual(["b", "c"]);
    expect(pickAgents(found, { ...want, count: "all" }, url).map((a) => a.name)).toEqual(["a", "b", "c"]);
  });

  it("says why there are not enough: busy, shutting down, another version, silent", () => {
    const found = [
      agent("a", { status: { busy: true, draining: false, run: "r1", coordinator: "ci-7", since: "T" } }),
      agent("b", { status: { busy: false, draining: true } }),
      agent("c", { version: "0.0.9" }),
      agent("d", { status: undefined }),
      agent("e"),
    ];
    expect(() => pickAgents(found, want, url)).toThrow(
      "asked for 2 agents, 1 of the 5 found can take a run: a is busy with run r1 from ci-7 since T; b is shutting down; d did not say whether it is busy; c runs benchline 0.0.9, not 0.1.0",
    );
    expect(() => pickAgents([agent("e")], want, url)).toThrow(
      "asked for 2 agents, 1 of the 1 found can take a run: there are no more",
    );
    expect(() => pickAgents([], { ...want, tag: "gpu" }, url)).toThrow(
      "no agent tagged gpu answers on nats://control:4222 (prefix benchline); start one with benchline agent --control nats://control:4222 --tag gpu",
    );
  });

  it("reads --agents as a count or all", () => {
    expect(parseAgentCount("3")).toBe(3);
    expect(parseAgentCount("all")).toBe("all");
    for (const bad of ["0", "-1", "1.5", "some"])
      expect(() => parseAgentCount(bad)).toThrow(
        `--agents ${bad}: give a number of agents (1 or more) or "all"`,
      );
  });

  it("reads the control server from flags or environment, with credentials of its own", () => {
    expect(
      controlSpec(
        { controlPrefix: "benchline" },
        { BENCHLINE_CONTROL: "nats://c:4222", BENCHLINE_CONTROL_TOKEN: "t" },
      ),
    ).toEqual({
      url: "nats://c:4222",
      prefix: "benchline",
      auth: { token: "t", user: undefined, password: undefined, nkeyFile: undefined, credsFile: undefined },
    });
    expect(() => controlSpec({ controlPrefix: "benchline" }, {})).toThrow(
      "name the control server: --control URL (or set BENCHLINE_CONTROL)",
    );
    expect(() => controlSpec({ control: "nats://c", controlPrefix: "a..b" }, {})).toThrow(
      "--control-prefix a..b: subject tokens of letters, digits, - and _, joined by dots",
    );
    expect(() =>
      controlSpec({ control: "nats://c", controlPrefix: "p", controlToken: "t", controlUser: "u" }, {}),
    ).toThrow("control flags: use one way to authenticate, not token and user/password");
  });
});

const agentEnv = (name: string, clockErrorUs: number, over: Partial<AgentEnv> = {}): AgentEnv => ({
  name,
  host: `${name}.example`,
  cpus: 4,
  share: 0.5,
  clients: 3,
  threads: 1,
  ratePerSec: 2500,
  clockOffsetUs: -120,
  clockErrorUs,
  clock: "measured",
  ...over,
});

describe("results of runs on agents", () => {
  it("warns when the clocks' error bound is large against the e2e latency", () => {
    const run = fixtureRun();
    run.latency.e2e = fixtureBlock({ p50Us: 2000, p99Us: 9000 });
    run.env = fixtureEnv({ agents: [agentEnv("a", 150), agentEnv("b", 90), agentEnv("c", 20)] });
    expect(e2eClockWarning(run)).toBe(
      "e2e latency crosses hosts whose clocks agree to within ±240 us, 12% of its p50 of 2000 us: read e2e to that precision (pubAck is timed on one host)",
    );
    run.env.agents = [agentEnv("a", 150), agentEnv("b", 40)];
    expect(e2eClockWarning(run)).toBeUndefined();
    run.env.agents = [agentEnv("a", 5000)];
    expect(e2eClockWarning(run)).toBeUndefined();
  });

  it("names every agent, its share, clock and CPU in the generator line", () => {
    const run = fixtureRun();
    run.generator = { cpuPercent: 61.5 };
    run.env = fixtureEnv({
      workerThreads: 2,
      workerThreadsReason: "on 2 agents: a 1, b 1",
      agents: [
        agentEnv("a", 150, { cpuPercent: 30.1 }),
        agentEnv("b", 0, { clock: "shared", clockOffsetUs: 0 }),
      ],
    });
    expect(generatorLine(run)).toBe(
      "load generator: 2 worker threads (on 2 agents: a 1, b 1), 61.5% of one core (the agents' together) over the measured phase; agents: a on a.example (4 CPUs, share 0.5, 3 clients, 2500 msgs/s, clock -120 ±150 us, 30.1% CPU), b on b.example (4 CPUs, share 0.5, 3 clients, 2500 msgs/s, clock shared)",
    );
  });
});
