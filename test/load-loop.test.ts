import { JetStreamApiError } from "@nats-io/jetstream";
import { errors } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { type ClientTask, createCounters, emptyResult } from "../src/engine/protocol.js";
import { decodeHistogram } from "../src/metrics/histogram.js";
import { failureKind } from "../workers/failure-kind.js";
import { type Issuer, LoadLoop, type LoopSpec, SEND_GRACE_NS } from "../workers/load-loop.js";
import { emptyOpCounts, OpClient, type OpDriver } from "../workers/op-client.js";
import { DONE, type Paced, Pacer, WAITING } from "../workers/pacer.js";
import { ThreadRecorder } from "../workers/recorder.js";

const MS = 1e6;

/** A recorder on a clock the test moves by hand; it keeps every sendLag sample. */
function fakeRecorder(warmupNs: number, endNs: number) {
  const sendLagsUs: Array<{ us: number; measured: boolean }> = [];
  const rec = {
    now: 0,
    sendLagsUs,
    lateSendThresholdNs: 1 * MS,
    relNow: () => rec.now,
    measureEndNs: () => endNs,
    inMeasure: (t: number) => t >= warmupNs && t < endNs,
    record(kind: string, us: number, measured: boolean) {
      if (kind === "sendLag") sendLagsUs.push({ us, measured });
    },
  };
  return rec;
}

/** A pacer that only notes what the loop asks of it: the test calls pace() itself. */
function fakePacer() {
  const pacer = {
    members: [] as Paced[],
    wakes: 0,
    add: (m: Paced) => pacer.members.push(m),
    wake: () => pacer.wakes++,
  };
  return pacer;
}

/** An issuer that notes every send and leaves it outstanding until the test releases it. */
function fakeIssuer() {
  const sent: Array<{ intendedRel: number; nowRel: number; measured: boolean }> = [];
  const failures: string[] = [];
  const issuer: Issuer & { sent: typeof sent; failures: string[] } = {
    sent,
    failures,
    issue: (intendedRel, nowRel, measured) => {
      sent.push({ intendedRel, nowRel, measured });
    },
    endBurst: () => {},
    failed: (err) => {
      failures.push(err.message);
    },
  };
  return issuer;
}

function openLoop(spec: Partial<LoopSpec>, warmupNs = 0, endNs = Number.POSITIVE_INFINITY) {
  const rec = fakeRecorder(warmupNs, endNs);
  const pacer = fakePacer();
  const issuer = fakeIssuer();
  const result = emptyResult(0, "op");
  const full: LoopSpec = {
    ratePerSec: 1000,
    offsetNs: 0,
    maxInFlight: 100,
    timeoutMs: 10,
    acknowledged: true,
    ...spec,
  };
  const loop = new LoadLoop(full, issuer, rec, pacer, result);
  const done = loop.run();
  return { rec, pacer, issuer, result, loop, done };
}

describe("LoadLoop, open loop", () => {
  it("honours a quota of measured sends, and stops there", async () => {
    const { rec, issuer, loop, done } = openLoop({ quota: 5 }, 3 * MS);
    rec.now = 20 * MS;
    expect(loop.pace()).toBe(DONE);
    // Three warmup sends (0, 1, 2 ms) do not count towards the quota; five measured ones do.
    expect(issuer.sent.map((s) => s.intendedRel / MS)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(issuer.sent.filter((s) => s.measured)).toHaveLength(5);
    for (let i = 0; i < 8; i++) loop.release();
    await done;
  });

  it("gives up SEND_GRACE after the phase, counting what it never sent and keeping its lag as evidence", async () => {
    const { rec, issuer, result, loop, done } = openLoop({ maxInFlight: 2 }, 0, 100 * MS);
    expect(loop.pace()).toBe(1 * MS);
    rec.now = 5 * MS;
    expect(loop.pace()).toBe(WAITING);
    expect(issuer.sent).toHaveLength(2);
    rec.now = 100 * MS + SEND_GRACE_NS;
    expect(loop.pace()).toBe(DONE);
    expect(result.unsent).toBe(98);
    // Every message due in the measured phase has a sendLag sample: 2 sent, 98 from the give-up.
    expect(rec.sendLagsUs.filter((s) => s.measured)).toHaveLength(100);
    expect(rec.sendLagsUs[2]!.us).toBe((rec.now - 2 * MS) / 1000);
    loop.stop();
    await done;
  });

  it("counts a late send as the server's when the window was full, and as its own when it fell behind", async () => {
    const server = openLoop({ maxInFlight: 1 });
    expect(server.loop.pace()).toBe(1 * MS);
    server.rec.now = 1.5 * MS;
    expect(server.loop.pace()).toBe(WAITING);
    server.rec.now = 4 * MS;
    server.loop.release();
    expect(server.pacer.wakes).toBe(1);
    // Message 1 (due at 1 ms) goes 3 ms late, message 2 finds the window full again.
    expect(server.loop.pace()).toBe(WAITING);
    expect(server.result.lateSends).toBe(1);
    expect(server.result.lateSendsWindowFull).toBe(1);
    server.loop.stop();
    // The pacer serves a stopped member once more (stop wakes it): it finishes.
    expect(server.loop.pace()).toBe(DONE);
    await server.done;

    const behind = openLoop({ maxInFlight: 100 });
    behind.rec.now = 10 * MS;
    behind.loop.pace();
    // Messages 0..8 are more than 1 ms late; the window never filled.
    expect(behind.result.lateSends).toBe(9);
    expect(behind.result.lateSendsWindowFull).toBeUndefined();
    behind.loop.stop();
    expect(behind.loop.pace()).toBe(DONE);
    await behind.done;
  });

  it("keeps no window for unacknowledged sends", async () => {
    const { rec, issuer, loop, done } = openLoop({ maxInFlight: 2, acknowledged: false }, 0, 10 * MS);
    rec.now = 20 * MS;
    expect(loop.pace()).toBe(DONE);
    expect(issuer.sent).toHaveLength(10);
    await done;
  });

  it("stops on a send that throws, and says why", async () => {
    const { rec, issuer, loop, done } = openLoop({});
    issuer.issue = () => {
      throw new Error("closed");
    };
    rec.now = 5 * MS;
    expect(loop.pace()).toBe(DONE);
    await done;
    expect(issuer.failures).toEqual(["closed"]);
  });
});

describe("LoadLoop, closed loop", () => {
  it("honours a quota", async () => {
    const { issuer, done } = openLoop({ ratePerSec: "max", quota: 300, maxInFlight: 1000 });
    await done;
    expect(issuer.sent).toHaveLength(300);
  });

  it("stops at the end of the measured phase while the server holds its window (a stalled core flush)", async () => {
    const endNs = 30 * MS;
    const { rec, issuer, calls, done } = coreClosedLoop(endNs, unanswered);
    await new Promise((r) => setTimeout(r, 5));
    // One window sent, then the wait; the phase ends (the clock moves past it) while it waits.
    expect(issuer.sent).toHaveLength(4);
    expect(calls.room).toBe(1);
    rec.now = endNs + 1;
    const outcome = await Promise.race([
      done.then(() => "ended"),
      new Promise((r) => setTimeout(() => r("still waiting"), 2000)),
    ]);
    expect(outcome).toBe("ended");
    expect(issuer.sent).toHaveLength(4);
    expect(calls.settle).toBe(1);
  });

  it("does not take a timer that woke before the phase's end for the end: no window more, then stops", async () => {
    const endNs = 20 * MS;
    // The clock stands still before the end while the end's timer fires (a timer may wake early).
    const { rec, issuer, calls, done } = coreClosedLoop(endNs, unanswered);
    let ended = false;
    void done.then(() => {
      ended = true;
    });
    await new Promise((r) => setTimeout(r, 60));
    expect(ended).toBe(false);
    expect(issuer.sent).toHaveLength(4);
    expect(calls.room).toBe(1);
    rec.now = endNs;
    await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
    expect(ended).toBe(true);
    expect(issuer.sent).toHaveLength(4);
  });

  it("a round trip that fails ends the loop with the failure, as a send that throws does", async () => {
    const { issuer, done } = coreClosedLoop(10e9, () => Promise.reject(new Error("connection closed")));
    await done;
    expect(issuer.failures).toEqual(["connection closed"]);
    expect(issuer.sent).toHaveLength(4);
  });
});

/** A round trip the server never answers. */
const unanswered = () => new Promise<void>(() => {});

/**
 * A core closed loop (nothing acknowledges a send) of 4-message windows, on a clock the test moves,
 * whose room between windows is `makeRoom`'s; `calls` counts what the loop asked of the issuer.
 */
function coreClosedLoop(endNs: number, makeRoom: () => Promise<void>) {
  const rec = fakeRecorder(0, endNs);
  const issuer = fakeIssuer();
  const calls = { room: 0, settle: 0 };
  issuer.makeRoom = () => {
    calls.room++;
    return makeRoom();
  };
  issuer.settle = () => {
    calls.settle++;
  };
  const spec: LoopSpec = {
    ratePerSec: "max",
    offsetNs: 0,
    maxInFlight: 4,
    timeoutMs: 10,
    acknowledged: false,
  };
  const done = new LoadLoop(spec, issuer, rec, fakePacer(), emptyResult(0, "publisher")).run();
  return { rec, issuer, calls, done };
}

/** An op client on a real recorder and pacer, with a driver that answers after `answerMs`. */
function opClient(opts: {
  ratePerSec: number | "max";
  quota?: number;
  measureEndNs: number;
  answerMs: number;
}) {
  const rec = new ThreadRecorder(
    0,
    true,
    { warmupNs: 0, measureEndNs: opts.measureEndNs, lateSendThresholdUs: 2000 },
    createCounters(1),
  );
  rec.startNs = rec.relNow();
  const pacer = new Pacer(rec);
  const driver: OpDriver = {
    prepare: async () => {},
    issue: () => new Promise((r) => setTimeout(() => r(true), opts.answerMs)),
  };
  const task = {
    role: "op",
    id: 0,
    slot: 0,
    op: { workload: "direct", client: { maxInFlight: 1, timeoutMs: 10 } },
    ratePerSec: opts.ratePerSec,
    offsetNs: 0,
    quota: opts.quota,
    connection: 0,
  } as unknown as Extract<ClientTask, { role: "op" }>;
  return { rec, pacer, client: new OpClient(task, driver, rec, pacer, emptyOpCounts()) };
}

describe("OpClient on the shared loop", () => {
  it("honours a quota, open loop and closed", async () => {
    for (const ratePerSec of [2000, "max"] as const) {
      const { pacer, client } = opClient({ ratePerSec, quota: 20, measureEndNs: 10e9, answerMs: 0 });
      const result = await client.run();
      pacer.close();
      expect(result.sent).toBe(20);
      expect(result.acked).toBe(20);
    }
  });

  it("records sendLag for operations it never sent once it gives up", async () => {
    // The first operation holds the only window slot past the phase's end and its grace.
    const { rec, pacer, client } = opClient({ ratePerSec: 1000, measureEndNs: 50 * MS, answerMs: 1100 });
    const result = await client.run();
    pacer.close();
    rec.snapshot(0, true);
    // 50 operations were due in the measured phase: one went out, 49 never did.
    expect(result.sent).toBe(1);
    expect(result.unsent).toBe(49);
    expect(decodeHistogram(rec.finalHistograms().sendLag!).totalCount).toBe(50);
  }, 5000);
});

describe("failureKind: one vocabulary, one order", () => {
  const timeout = new errors.TimeoutError();
  const noResponders = new errors.NoRespondersError("svc.echo");
  const apiError = (code: number) =>
    new JetStreamApiError({ code: 400, err_code: code, description: "stream limits exceeded" });

  it.each([
    [
      "nats.js's request with no responders",
      new errors.RequestError("no responders", { cause: noResponders }),
      "noResponders",
    ],
    ["a bare NoResponders", noResponders, "noResponders"],
    ["a TimeoutError", timeout, "timeout"],
    ["a RequestError caused by a timeout", new errors.RequestError("failed", { cause: timeout }), "timeout"],
    ["a JetStream API error", apiError(10077), "api:10077"],
    ["nats.js's bare RequestError", new errors.RequestError("connection disconnected"), "requestFailed"],
    ["any other error, by its name", new errors.ClosedConnectionError(), "ClosedConnectionError"],
    ["a thrown non-error", "boom", "Error"],
  ])("%s", (_, err, kind) => {
    expect(failureKind(err)).toBe(kind);
  });

  it("puts noResponders before timeout, and timeout before api:<code>", () => {
    expect(failureKind(new errors.TimeoutError({ cause: noResponders }))).toBe("noResponders");
    const timedOutApi = apiError(10008);
    timedOutApi.message = "request timeout";
    expect(failureKind(timedOutApi)).toBe("timeout");
  });
});
