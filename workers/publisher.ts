/**
 * One publisher: paces messages open-loop (fixed rate, latency from the intended send time) or closed-loop
 * (`max`, a window bounds what is in flight), in core, JetStream or request mode.
 *
 * JetStream takes the fast path from DESIGN.md: a plain publish with a reply subject INBOX.<seq> and one
 * wildcard subscription for every PubAck, send times in typed arrays indexed by seq, instead of one
 * js.publish() promise per message.
 */
import { setTimeout as sleep, setImmediate as yieldNow } from "node:timers/promises";
import {
  createInbox,
  type Msg,
  type MsgHdrs,
  headers as makeHeaders,
  type NatsConnection,
} from "@nats-io/transport-node";
import { type ClientResult, type ClientTask, emptyResult } from "../src/engine/protocol.js";
import { publisherSubject } from "../src/profile/subjects.js";
import { BitSet } from "./bitset.js";
import { PayloadFactory } from "./payload.js";
import type { ThreadRecorder } from "./recorder.js";
import { openLoopSchedule } from "./schedule.js";

type PublisherTask = Extract<ClientTask, { role: "publisher" }>;

/** Sends in a burst at most this many messages before letting I/O (acks) run. */
const MAX_BURST = 256;
/** Core closed loop: windows of maxInFlight messages whose flush (PING/PONG) may be outstanding at once. */
const FLUSHES_IN_FLIGHT = 3;
/** An open-loop publisher still behind this long after the measured phase stops sending. */
const SEND_GRACE_NS = 1e9;

export class Publisher {
  private readonly spec: PublisherTask["spec"];
  private readonly payloads: PayloadFactory;
  private readonly subjects: string[];
  private readonly acknowledged = new BitSet();
  private readonly result: ClientResult;
  private stopped = false;
  private inFlight = 0;
  private windowWaiter: (() => void) | undefined;
  // JetStream fast path: ring of pending sends, indexed by seq & mask.
  private readonly mask: number;
  private readonly pendingSeq: Int32Array;
  private readonly intendedAt: Float64Array;
  private readonly sentAt: Float64Array;
  private readonly measuredFlag: Uint8Array;
  private lowSeq = 0;
  private inbox = "";
  private timeoutTimer: NodeJS.Timeout | undefined;
  private readonly flushes: Promise<void>[] = [];
  private unreportedSent = 0;
  /** Sends whose intended time fell in the measured phase: what a message quota counts. */
  private intendedInMeasure = 0;
  private unreportedAcked = 0;
  private reportTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly task: PublisherTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    private readonly runTag: string,
  ) {
    this.spec = task.spec;
    this.payloads = new PayloadFactory(
      this.spec.sizeBytes.min,
      this.spec.sizeBytes.max,
      this.spec.randomPayload,
    );
    this.subjects = Array.from({ length: this.spec.spread }, (_, i) =>
      publisherSubject(this.spec.subject, this.spec.spread, i),
    );
    let capacity = 1;
    while (capacity < this.spec.maxInFlight * 2) capacity <<= 1;
    this.mask = capacity - 1;
    const ring = this.spec.mode === "jetstream" ? capacity : 0;
    this.pendingSeq = new Int32Array(ring).fill(-1);
    this.intendedAt = new Float64Array(ring);
    this.sentAt = new Float64Array(ring);
    this.measuredFlag = new Uint8Array(ring);
    this.result = emptyResult(task.id, "publisher");
  }

  /** Before the start barrier: the PubAck subscription must exist before the first publish. */
  prepare(): void {
    if (this.spec.mode !== "jetstream") return;
    this.inbox = createInbox(`_BL_ACK.${this.runTag}`);
    this.nc.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.onPubAck(msg) });
  }

  stop(): void {
    this.stopped = true;
    this.openWindow();
  }

  async run(): Promise<ClientResult> {
    if (this.spec.mode === "jetstream") {
      this.timeoutTimer = setInterval(() => this.expirePending(), 50);
    }
    this.reportTimer = setInterval(() => this.reportCounts(), 50);
    try {
      // "go" arrives a little before the common start instant; closed loop must not begin before it
      // (open loop never does: its first intended send time is the instant itself).
      // Timers may wake a fraction of a millisecond early, so check the clock, not the timer.
      while (this.rec.relNow() < 0) await sleep(Math.max(1, Math.ceil(-this.rec.relNow() / 1e6)));
      if (this.task.ratePerSec === "max") await this.runClosedLoop();
      else await this.runOpenLoop(this.task.ratePerSec);
      await this.awaitOutstanding();
    } catch (err) {
      // A publish or flush on a closed connection throws; the run is ending (the thread reports the
      // fault), and what this publisher did so far must still reach the result.
      this.rec.error(this.task.slot, `publishFailed:${(err as Error).name || "Error"}`);
      this.stopped = true;
    } finally {
      if (this.timeoutTimer) clearInterval(this.timeoutTimer);
      clearInterval(this.reportTimer);
      this.reportCounts();
      this.rec.markDone(this.task.slot);
    }
    if (this.spec.mode === "core") this.acknowledged.setFirst(this.result.sent);
    this.result.acknowledged = this.acknowledged.bytes;
    return this.result;
  }

  /** True once this publisher has sent all it should: time or quota reached. */
  private finished(intendedRel: number): boolean {
    if (this.stopped) return true;
    if (this.task.quota !== undefined) return this.intendedInMeasure >= this.task.quota;
    return intendedRel >= this.rec.measureEndNs();
  }

  private async runOpenLoop(ratePerSec: number): Promise<void> {
    const schedule = openLoopSchedule(this.task.offsetNs, 1e9 / ratePerSec, this.spec.burst);
    const lateNs = this.rec.lateSendThresholdNs;
    let i = 0;
    for (;;) {
      let burst = 0;
      let now = this.rec.relNow();
      let intended = schedule.at(i);
      const endNs = this.rec.measureEndNs();
      if (now >= endNs + SEND_GRACE_NS) {
        // Too far behind to catch up: stop, and count what was due in the run but never sent.
        this.result.unsent = Math.max(0, schedule.dueBy(endNs) - i);
        return;
      }
      while (intended <= now && burst < MAX_BURST && this.inFlight < this.spec.maxInFlight) {
        if (this.finished(intended)) return;
        const lagNs = now - intended;
        const measured = this.rec.inMeasure(intended);
        this.rec.record("sendLag", lagNs / 1000, measured);
        if (lagNs > lateNs) this.result.lateSends++;
        this.send(intended, now, measured);
        i++;
        burst++;
        intended = schedule.at(i);
        if ((burst & 31) === 0) now = this.rec.relNow();
      }
      this.reportCounts();
      if (this.finished(intended)) return;
      if (this.inFlight >= this.spec.maxInFlight) {
        await this.windowOpened();
      } else if (burst >= MAX_BURST) {
        await yieldNow();
      } else {
        const waitMs = (intended - this.rec.relNow()) / 1e6;
        if (waitMs >= 2) await sleep(Math.floor(waitMs) - 1);
        else await yieldNow();
      }
    }
  }

  private async runClosedLoop(): Promise<void> {
    for (;;) {
      let burst = 0;
      while (burst < MAX_BURST && this.inFlight < this.spec.maxInFlight) {
        const now = this.rec.relNow();
        if (this.finished(now)) return;
        this.send(now, now, this.rec.inMeasure(now));
        burst++;
      }
      this.reportCounts();
      if (this.spec.mode === "core" && this.inFlight >= this.spec.maxInFlight) {
        // Core has no acks: a PING/PONG round trip every window of maxInFlight messages keeps the
        // client's buffer bounded. (Once a flush a burst made the window 3 x 256 messages, not
        // 3 x maxInFlight, and left the publisher waiting on PONGs.)
        await this.coreBackpressure();
      } else if (this.inFlight >= this.spec.maxInFlight) {
        await this.windowOpened();
      } else {
        await yieldNow();
      }
    }
  }

  private async coreBackpressure(): Promise<void> {
    // Up to FLUSHES_IN_FLIGHT windows may await their PONG at once, so a slow round trip does not idle us.
    this.flushes.push(this.nc.flush());
    this.inFlight = 0;
    if (this.flushes.length >= FLUSHES_IN_FLIGHT) await this.flushes.shift();
    else await yieldNow();
  }

  private send(intendedRel: number, nowRel: number, measured: boolean): void {
    const seq = this.result.sent;
    const payload = this.payloads.make(this.rec.startNs + intendedRel, this.task.id, seq);
    const subject = this.subjects[seq % this.subjects.length]!;
    const headers = this.headersFor(seq);
    const r = this.result;
    r.sent++;
    r.sentBytes += payload.length;
    // Latency belongs to the phase of the intended send time (coordinated omission); throughput to
    // the phase of the actual send, so a generator that falls behind its rate shows a shortfall.
    if (measured) this.intendedInMeasure++;
    if (this.rec.inMeasure(nowRel)) {
      r.measuredSent++;
      r.measuredSentBytes += payload.length;
    }
    this.unreportedSent++;
    this.inFlight++;
    switch (this.spec.mode) {
      case "core":
        // Core has no acks: every sent message counts as acknowledged (the bitset is made at the end).
        this.nc.publish(subject, payload, headers ? { headers } : undefined);
        this.onAcked(measured);
        if (this.task.ratePerSec !== "max") this.inFlight--;
        return;
      case "jetstream": {
        const slot = seq & this.mask;
        if (this.pendingSeq[slot] !== -1) {
          // The ring wrapped onto a send that never got its ack; it is timed out now.
          this.failPending(slot, "timeout");
        }
        this.pendingSeq[slot] = seq;
        this.intendedAt[slot] = intendedRel;
        this.sentAt[slot] = nowRel;
        this.measuredFlag[slot] = measured ? 1 : 0;
        this.nc.publish(subject, payload, { reply: `${this.inbox}.${seq}`, headers });
        return;
      }
      case "request":
        this.nc.request(subject, payload, { timeout: this.spec.ackTimeoutMs, headers }).then(
          () => this.onReply(seq, intendedRel, measured),
          (err: Error) => this.onRequestError(err),
        );
        return;
    }
  }

  private headersFor(seq: number): MsgHdrs | undefined {
    if (!this.spec.headers && !this.spec.msgId) return undefined;
    const h = makeHeaders();
    for (const [k, v] of Object.entries(this.spec.headers ?? {})) h.set(k, v);
    if (this.spec.msgId) h.set("Nats-Msg-Id", `${this.runTag}-${this.task.id}-${seq}`);
    return h;
  }

  private onAcked(measured: boolean): void {
    this.result.acked++;
    if (measured) this.result.measuredAcked++;
    this.unreportedAcked++;
  }

  /** Shared counters are written once a burst, not once a message. */
  private reportCounts(): void {
    if (this.unreportedSent > 0) this.rec.count(this.task.slot, "sent", this.unreportedSent);
    if (this.unreportedAcked > 0) this.rec.count(this.task.slot, "acked", this.unreportedAcked);
    this.unreportedSent = 0;
    this.unreportedAcked = 0;
  }

  private onPubAck(msg: Msg): void {
    const seq = Number(msg.subject.slice(msg.subject.lastIndexOf(".") + 1));
    const slot = seq & this.mask;
    if (this.pendingSeq[slot] !== seq) return; // already timed out
    const now = this.rec.relNow();
    if (msg.headers?.code === 503) {
      this.failPending(slot, "noResponders");
      return;
    }
    // A PubAck is {"stream":..,"seq":..}; only an error body ({"error":..}) is worth parsing.
    if (msg.data.length < 3 || msg.data[2] !== 0x73 /* s */) {
      this.failPending(slot, pubAckErrorKind(msg));
      return;
    }
    const measured = this.measuredFlag[slot] === 1;
    this.rec.record("pubAck", (now - this.intendedAt[slot]!) / 1000, measured);
    // Closed loop sends at the intended time, so the raw latency is the same number (see aliases).
    if (!this.rec.aliases.has("pubAckRaw"))
      this.rec.record("pubAckRaw", (now - this.sentAt[slot]!) / 1000, measured);
    this.pendingSeq[slot] = -1;
    this.acknowledged.testAndSet(seq);
    this.onAcked(measured);
    this.release();
  }

  private failPending(slot: number, kind: string): void {
    this.pendingSeq[slot] = -1;
    this.rec.error(this.task.slot, kind);
    this.release();
  }

  /** Acks arrive in order nearly always, so expiry walks from the oldest pending seq and stops early. */
  private expirePending(): void {
    const deadline = this.rec.relNow() - this.spec.ackTimeoutMs * 1e6;
    const sent = this.result.sent;
    while (this.lowSeq < sent) {
      const slot = this.lowSeq & this.mask;
      if (this.pendingSeq[slot] === this.lowSeq) {
        if (this.sentAt[slot]! > deadline) break;
        this.failPending(slot, "timeout");
      }
      this.lowSeq++;
    }
  }

  private onReply(seq: number, intendedRel: number, measured: boolean): void {
    const now = this.rec.relNow();
    // Open loop: from the intended send time. Closed loop: intended equals the actual send.
    this.rec.record("request", (now - intendedRel) / 1000, measured);
    this.acknowledged.testAndSet(seq);
    this.onAcked(measured);
    this.release();
  }

  private onRequestError(err: Error): void {
    const kind =
      /no responders/i.test(err.message) ||
      err.name === "NoResponders" ||
      (err.cause as Error)?.name === "NoResponders"
        ? "noResponders"
        : /timeout/i.test(err.message) || (err.cause as Error)?.name === "TimeoutError"
          ? "timeout"
          : "requestFailed";
    this.rec.error(this.task.slot, kind);
    this.release();
  }

  private release(): void {
    this.inFlight--;
    if (this.windowWaiter && this.inFlight < this.spec.maxInFlight) this.openWindow();
  }

  private openWindow(): void {
    const w = this.windowWaiter;
    this.windowWaiter = undefined;
    w?.();
  }

  private windowOpened(): Promise<void> {
    return new Promise((resolve) => {
      this.windowWaiter = resolve;
    });
  }

  /** After the last send: wait for acks still due, at most the ack timeout. */
  private async awaitOutstanding(): Promise<void> {
    if (this.spec.mode === "core") {
      await Promise.all(this.flushes).catch(() => {});
      await this.nc.flush().catch(() => {});
      return;
    }
    const deadline = Date.now() + this.spec.ackTimeoutMs + 100;
    while (this.inFlight > 0 && Date.now() < deadline && !this.stopped) {
      await sleep(5);
    }
    if (this.spec.mode === "jetstream") this.expirePending();
  }
}

function pubAckErrorKind(msg: Msg): string {
  try {
    const body = msg.json<{ error?: { err_code?: number; code?: number } }>();
    return body.error ? `api:${body.error.err_code ?? body.error.code ?? "unknown"}` : "badPubAck";
  } catch {
    return "badPubAck";
  }
}
