import { describe, expect, it } from "vitest";
import { EVENTS_PER_THREAD, isLoopbackUrl, loadEventsPerSec, sizeThreads } from "../src/engine/threads.js";
import { parseProfileText } from "../src/profile/loader.js";

const profile = (text: string) => parseProfileText(text, "p.yaml", {}).profile;
const smoke = profile(`
stream: {name: S, subjects: ["s.>"]}
publishers: [{mode: jetstream, subject: s.x, count: 2, rate: 5000}]
consumers: [{kind: pull, count: 2}]
`);

describe("worker threads sized from the load", () => {
  it("counts a send and its PubAck, and a delivery and its ack, once per consumer group", () => {
    // 5,000 publishes/s with PubAcks, one shared pull durable that acks each delivery.
    expect(loadEventsPerSec(smoke)).toBe(20_000);
    const fanOut = profile(`
publishers: [{mode: core, subject: c.x, rate: 1000}]
consumers: [{kind: core, subject: "c.>", count: 3}, {kind: queue, subject: "c.>", count: 4}]
`);
    // Three plain subscribers each get every message; a queue group shares them.
    expect(loadEventsPerSec(fanOut)).toBe(1000 + 3000 + 1000);
  });

  it("gives a light load one thread and states why", () => {
    expect(sizeThreads(smoke, { cpus: 8, serverOnHost: false })).toEqual({
      threads: 1,
      reason: `auto: 20,000 message events/s needs 1 at up to ${EVENTS_PER_THREAD.toLocaleString("en-US")} each`,
    });
  });

  it("says what a consume-only drain's thread does, not that 0 events/s need it", () => {
    const drain = profile(`
stream: {name: S, subjects: ["s.>"]}
consumers: [{kind: pull}]
`);
    expect(sizeThreads(drain, { cpus: 2, serverOnHost: true })).toEqual({
      threads: 1,
      reason: "auto: consume only, 1 thread reading as fast as it can",
    });
  });

  it("grows with the rate, and keeps a core for a server on the same host", () => {
    const heavy = profile(`
publishers: [{mode: core, subject: c.x, count: 8, rate: 400000}]
`);
    expect(sizeThreads(heavy, { cpus: 16, serverOnHost: false }).threads).toBe(
      Math.ceil(400_000 / EVENTS_PER_THREAD),
    );
    const onHost = sizeThreads(heavy, { cpus: 4, serverOnHost: true });
    expect(onHost.threads).toBe(3);
    expect(onHost.reason).toMatch(/capped at 3 \(4 CPUs less 1 kept for the server on this host\)/);
    // Two CPUs and the server here: one thread, never none.
    expect(sizeThreads(heavy, { cpus: 2, serverOnHost: true }).threads).toBe(1);
    expect(sizeThreads(heavy, { cpus: 1, serverOnHost: true }).threads).toBe(1);
  });

  it("gives a closed loop what the host can spare, shared by loads side by side", () => {
    const max = profile(`
publishers: [{mode: core, subject: c.x, count: 4, rate: max}]
`);
    expect(sizeThreads(max, { cpus: 8, serverOnHost: true }).threads).toBe(7);
    expect(sizeThreads(max, { cpus: 8, serverOnHost: true, parties: 2 }).threads).toBe(3);
    expect(sizeThreads(max, { cpus: 8, serverOnHost: false }).reason).toBe(
      "auto: a closed loop (rate max) takes what it may: 8 of 8 CPUs",
    );
  });

  it("leaves a count the profile or --workers set as it is", () => {
    const set = profile(`
publishers: [{mode: core, subject: c.x, rate: 10}]
workers: 6
`);
    expect(sizeThreads(set, { cpus: 2, serverOnHost: true })).toEqual({
      threads: 6,
      reason: "set by the profile or --workers",
    });
  });

  it("tells loopback server URLs from remote ones", () => {
    expect(["nats://127.0.0.1:4222", "localhost:4222", "tls://[::1]:4222"].map(isLoopbackUrl)).toEqual([
      true,
      true,
      true,
    ]);
    expect(["nats://10.0.0.5:4222", "nats://staging:4222", "::bad"].map(isLoopbackUrl)).toEqual([
      false,
      false,
      false,
    ]);
  });
});
