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
import { findEndpoint, SERVICE_ERROR_CODE_HEADER } from "../src/engine/services.js";
import { publisherSubject } from "../src/profile/subjects.js";
import { type CompiledTemplate, compileTemplate, isTemplate } from "../src/profile/template.js";
import { TIMING_HEADER } from "../src/profile/workloads.js";
import { BitSet } from "./bitset.js";
import { FrameBatch } from "./frame-batch.js";
import { FramePublisher } from "./frames.js";
import { wireSubject } from "./nats-internals.js";
import { DONE, type Paced, type Pacer, WAITING } from "./pacer.js";
import { PayloadFactory } from "./payload.js";
import { pubAckSeq } from "./pub-ack.js";
import type { ThreadRecorder } from "./recorder.js";
import { openLoopSchedule, type Schedule } from "./schedule.js";
import { ShapedPayloads, timingHeaderValue } from "./shaped-payload.js";

type PublisherTask = Extract<ClientTask, { role: "publisher" }>;

/** Sends in a burst at most this many messages before letting I/O (acks) run. */
const MAX_BURST = 256;
/** Core closed loop: windows of maxInFlight messages whose flush (PING/PONG) may be outstanding at once. */
const FLUSHES_IN_FLIGHT = 3;
/** An open-loop publisher still behind this long after the measured phase stops sending. */
const SEND_GRACE_NS = 1e9;

export class Publisher implements Paced {
  private readonly spec: PublisherTask["spec"];
  private readonly payloads: PayloadFactory;
  private readonly shaped: ShapedPayloads | undefined;
  /** Header values: constants, or templates rendered per message. */
  private readonly headerValues: Array<[string, string | CompiledTemplate]>;
  private subjects: string[];
  /** The subjects and the PubAck inbox as bytes, encoded once for the frame writer. */
  private subjectBytes: Uint8Array[] = [];
  private inboxBytes: Uint8Array | undefined;
  private readonly frames: FramePublisher;
  /** Whole frames a burst at a time (undefined where nats.js lacks what it writes to). */
  private readonly batch: FrameBatch | undefined;
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
  // Open loop: the schedule, the index of the next message, and whether the pacer waits on our window.
  private schedule: Schedule | undefined;
  private nextIndex = 0;
  private waitingForWindow = false;
  /** The window filled since the last send that went out on time: late sends until then are the server's. */
  private windowFull = false;
  private openLoopDone: (() => void) | undefined;
  /** Resolves the wait for outstanding acks once none is left. */
  private drained: (() => void) | undefined;
  /** The stream sequence of each acknowledged message, for the acked-loss check (fault runs only). */
  private streamSeqs: Uint32Array | undefined;

  constructor(
    private readonly task: PublisherTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    private readonly runTag: string,
    private readonly pacer: Pacer,
    /** Where this publisher's PubAck inbox lives (--inbox-prefix). */
    private readonly inboxPrefix: string,
  ) {
    this.spec = task.spec;
    this.payloads = new PayloadFactory(
      this.spec.sizeBytes.min,
      this.spec.sizeBytes.max,
      this.spec.randomPayload,
    );
    this.shaped = this.spec.payload && new ShapedPayloads(this.spec.payload, task.id);
    this.headerValues = Object.entries(this.spec.headers ?? {}).map(([k, v]) => [
      k,
      isTemplate(v) ? compileTemplate(v) : v,
    ]);
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
    this.frames = new FramePublisher(nc);
    this.batch = FrameBatch.on(nc);
    this.result = emptyResult(task.id, "publisher");
    if (this.spec.mode !== "core") rec.publishes.active = true;
    if (task.keepStreamSeqs && this.spec.mode === "jetstream") this.streamSeqs = new Uint32Array(1 << 16);
  }

  /**
   * Before the start barrier: the payload files read, a service endpoint's subject found, and the
   * PubAck subscription made before the first publish.
   */
  async prepare(): Promise<void> {
    await this.shaped?.prepare();
    if (this.spec.service) {
      const { name, endpoint } = this.spec.service;
      this.subjects = [await findEndpoint(this.nc, name, endpoint, `service ${name}`)];
      this.result.errorKinds = {};
    }
    this.subjectBytes = this.subjects.map((s) => FramePublisher.prepare(s));
    if (this.spec.mode !== "jetstream") return;
    this.inbox = createInbox(this.inboxPrefix);
    this.inboxBytes = FramePublisher.prepare(this.inbox);
    // A refused subscription calls back with an error and no message; the thread names the refusal.
    this.nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (!err) this.onPubAck(msg);
      },
    });
  }

  stop(): void {
    this.stopped = true;
    this.openWindow();
    if (this.openLoopDone) this.pacer.wake();
    this.drained?.();
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
      this.failed(err as Error);
    } finally {
      if (this.timeoutTimer) clearInterval(this.timeoutTimer);
      clearInterval(this.reportTimer);
      this.endBurst();
      this.rec.markDone(this.task.slot);
    }
    if (this.spec.mode === "core") this.acknowledged.setFirst(this.result.sent);
    this.result.acknowledged = this.acknowledged.bytes;
    if (this.streamSeqs) this.result.streamSeqs = this.streamSeqs.subarray(0, this.result.sent);
    return this.result;
  }

  /** True once this publisher has sent all it should: time or quota reached. */
  private finished(intendedRel: number): boolean {
    if (this.stopped) return true;
    if (this.task.quota !== undefined) return this.intendedInMeasure >= this.task.quota;
    return intendedRel >= this.rec.measureEndNs();
  }

  /** Open loop: the thread's pacer calls `pace` whenever something is due; this resolves when done. */
  private runOpenLoop(ratePerSec: number): Promise<void> {
    this.schedule = openLoopSchedule(this.task.offsetNs, 1e9 / ratePerSec, this.spec.burst);
    return new Promise((resolve) => {
      this.openLoopDone = resolve;
      this.pacer.add(this);
    });
  }

  /** Sends every message due by now (one bounded burst); see Paced. */
  pace(): number {
    try {
      return this.paceBurst();
    } catch (err) {
      // Sends happen on the pacer's timer, outside run(): a throw here would take the thread down.
      this.failed(err as Error);
      return this.endOpenLoop();
    }
  }

  /**
   * A publish or flush on a closed connection throws; the run is ending (the thread reports the fault),
   * and what this publisher did so far must still reach the result.
   */
  private failed(err: Error): void {
    this.rec.error(this.task.slot, `publishFailed:${err.name || "Error"}`);
    this.stopped = true;
  }

  private paceBurst(): number {
    const schedule = this.schedule!;
    const lateNs = this.rec.lateSendThresholdNs;
    let now = this.rec.relNow();
    const endNs = this.rec.measureEndNs();
    if (now >= endNs + SEND_GRACE_NS) return this.giveUp(now, endNs);
    let intended = schedule.at(this.nextIndex);
    let burst = 0;
    while (intended <= now && burst < MAX_BURST) {
      if (this.finished(intended)) return this.endOpenLoop();
      if (this.inFlight >= this.spec.maxInFlight) {
        this.waitingForWindow = true;
        this.windowFull = true;
        this.endBurst();
        return WAITING;
      }
      const lagNs = now - intended;
      const measured = this.rec.inMeasure(intended);
      this.rec.record("sendLag", lagNs / 1000, measured);
      if (lagNs > lateNs) {
        this.result.lateSends++;
        // Late because the server stopped answering (the window filled), not because we fell behind.
        if (this.windowFull) this.result.lateSendsWindowFull = (this.result.lateSendsWindowFull ?? 0) + 1;
      } else this.windowFull = false;
      this.send(intended, now, measured);
      this.nextIndex++;
      burst++;
      intended = schedule.at(this.nextIndex);
      if ((burst & 31) === 0) now = this.rec.relNow();
    }
    this.endBurst();
    if (this.finished(intended)) return this.endOpenLoop();
    return intended;
  }

  private endOpenLoop(): number {
    this.endBurst();
    this.openLoopDone?.();
    this.openLoopDone = undefined;
    return DONE;
  }

  /**
   * Too far behind to catch up: stop, count what was due in the run but never sent, and keep the
   * evidence: each such message of the measured phase goes into sendLag with the lag it had when the
   * generator gave up (a lower bound), so a generator that never caught up still shows how late it was.
   */
  private giveUp(nowNs: number, endNs: number): number {
    const schedule = this.schedule!;
    const due = schedule.dueBy(endNs);
    this.result.unsent = Math.max(0, due - this.nextIndex);
    for (let i = this.nextIndex; i < due; i++) {
      const intended = schedule.at(i);
      if (this.rec.inMeasure(intended)) this.rec.record("sendLag", (nowNs - intended) / 1000, true);
    }
    return this.endOpenLoop();
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
      this.endBurst();
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
    const intendedAbs = this.rec.startNs + intendedRel;
    const headers = this.headersFor(seq, intendedAbs);
    // benchline's own payloads, no headers, core or JetStream: the whole frame goes into the batch.
    const framed = this.batch !== undefined && !headers && !this.shaped && this.spec.mode !== "request";
    const bytes = framed
      ? this.sendFramed(seq, intendedAbs)
      : this.sendPublish(seq, intendedRel, measured, intendedAbs, headers);
    const r = this.result;
    r.sent++;
    r.sentBytes += bytes;
    // Latency belongs to the phase of the intended send time (coordinated omission); throughput to
    // the phase of the actual send, so a generator that falls behind its rate shows a shortfall.
    if (measured) this.intendedInMeasure++;
    if (this.rec.inMeasure(nowRel)) {
      r.measuredSent++;
      r.measuredSentBytes += bytes;
    }
    this.unreportedSent++;
    this.inFlight++;
    switch (this.spec.mode) {
      case "core":
        // Core has no acks: every sent message counts as acknowledged (the bitset is made at the end).
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
        return;
      }
      case "request":
        return;
    }
  }

  /** The PUB frame and its payload written straight into the batch; flushed at the end of the burst. */
  private sendFramed(seq: number, intendedAbs: number): number {
    const batch = this.batch!;
    const size = this.payloads.nextSize();
    const subject = this.subjectBytes[seq % this.subjectBytes.length]!;
    const at = batch.add(subject, size, this.spec.mode === "jetstream" ? this.inboxBytes : undefined, seq);
    this.payloads.writeInto(batch.slab, batch.view, at, size, intendedAbs, this.task.id, seq);
    return size;
  }

  /** Through nats.js (headers, shaped payloads, requests); returns the payload's size. */
  private sendPublish(
    seq: number,
    intendedRel: number,
    measured: boolean,
    intendedAbs: number,
    headers: MsgHdrs | undefined,
  ): number {
    const payload = this.shaped ? this.shaped.make(seq) : this.payloads.make(intendedAbs, this.task.id, seq);
    const subject = this.subjects[seq % this.subjects.length]!;
    switch (this.spec.mode) {
      case "core":
        if (headers) this.nc.publish(subject, payload, { headers });
        else this.frames.publish(this.subjectBytes[seq % this.subjectBytes.length]!, payload);
        break;
      case "jetstream":
        if (headers) this.nc.publish(subject, payload, { reply: `${this.inbox}.${seq}`, headers });
        else
          this.frames.publish(
            this.subjectBytes[seq % this.subjectBytes.length]!,
            payload,
            this.inboxBytes,
            seq,
          );
        break;
      case "request":
        this.nc.request(subject, payload, { timeout: this.spec.ackTimeoutMs, headers }).then(
          (reply) => this.onReply(seq, intendedRel, measured, reply),
          (err: Error) => this.onRequestError(err, intendedRel),
        );
        break;
    }
    return payload.length;
  }

  private headersFor(seq: number, intendedAbs: number): MsgHdrs | undefined {
    const timing = this.spec.timing === "header";
    if (this.headerValues.length === 0 && !this.spec.msgId && !timing) return undefined;
    const h = makeHeaders();
    for (const [k, v] of this.headerValues)
      h.set(k, typeof v === "string" ? v : v.render({ seq, publisher: this.task.id }));
    if (this.spec.msgId) h.set("Nats-Msg-Id", `${this.runTag}-${this.task.id}-${seq}`);
    if (timing) h.set(TIMING_HEADER, timingHeaderValue(intendedAbs, this.task.id, seq));
    return h;
  }

  private onAcked(measured: boolean): void {
    this.result.acked++;
    if (measured) this.result.measuredAcked++;
    this.unreportedAcked++;
  }

  /** The end of a burst: its frames go to the connection, its counts to the shared counters. */
  private endBurst(): void {
    this.batch?.flush();
    this.reportCounts();
  }

  /** Shared counters are written once a burst, not once a message. */
  private reportCounts(): void {
    if (this.unreportedSent > 0) this.rec.count(this.task.slot, "sent", this.unreportedSent);
    if (this.unreportedAcked > 0) this.rec.count(this.task.slot, "acked", this.unreportedAcked);
    this.unreportedSent = 0;
    this.unreportedAcked = 0;
  }

  private onPubAck(msg: Msg): void {
    const seq = inboxSeq(msg);
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
    this.rec.recordIntended("pubAck", (now - this.intendedAt[slot]!) / 1000, this.intendedAt[slot]!);
    // Closed loop sends at the intended time, so the raw latency is the same number (see aliases).
    if (!this.rec.aliases.has("pubAckRaw"))
      this.rec.record("pubAckRaw", (now - this.sentAt[slot]!) / 1000, measured);
    this.pendingSeq[slot] = -1;
    this.acknowledged.testAndSet(seq);
    if (this.streamSeqs) this.keepStreamSeq(seq, pubAckSeq(msg.data));
    this.rec.publishes.record(now);
    this.onAcked(measured);
    this.release();
  }

  private keepStreamSeq(seq: number, streamSeq: number): void {
    if (seq >= this.streamSeqs!.length) {
      const grown = new Uint32Array(Math.max(seq + 1, this.streamSeqs!.length * 2));
      grown.set(this.streamSeqs!);
      this.streamSeqs = grown;
    }
    // Past 2^32 a sequence is kept as the largest one: never below a stream's first, so never "removed".
    this.streamSeqs![seq] = Math.min(streamSeq, 0xffffffff);
  }

  private failPending(slot: number, kind: string): void {
    this.pendingSeq[slot] = -1;
    this.rec.error(this.task.slot, kind);
    // A failure still took this long: the fault figures count it, at its time to failure.
    const intended = this.intendedAt[slot]!;
    this.rec.recordIntended("pubAck", (this.rec.relNow() - intended) / 1000, intended, true);
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

  private onReply(seq: number, intendedRel: number, measured: boolean, reply: Msg): void {
    const now = this.rec.relNow();
    // A micro service answers an error with a status header; a reply nonetheless, but not a success.
    const serviceError = reply.headers?.get(SERVICE_ERROR_CODE_HEADER);
    if (serviceError) {
      this.countError(`serviceError:${serviceError}`);
      this.rec.recordIntended("request", (now - intendedRel) / 1000, intendedRel, true);
      this.release();
      return;
    }
    // Open loop: from the intended send time. Closed loop: intended equals the actual send.
    this.rec.record("request", (now - intendedRel) / 1000, measured);
    this.rec.recordIntended("request", (now - intendedRel) / 1000, intendedRel);
    this.rec.publishes.record(now);
    if (this.spec.service) this.rec.recordNamed(this.spec.name, (now - intendedRel) / 1000, measured);
    this.acknowledged.testAndSet(seq);
    this.onAcked(measured);
    this.release();
  }

  private onRequestError(err: Error, intendedRel: number): void {
    this.rec.recordIntended("request", (this.rec.relNow() - intendedRel) / 1000, intendedRel, true);
    const kind =
      /no responders/i.test(err.message) ||
      err.name === "NoResponders" ||
      (err.cause as Error)?.name === "NoResponders"
        ? "noResponders"
        : /timeout/i.test(err.message) || (err.cause as Error)?.name === "TimeoutError"
          ? "timeout"
          : "requestFailed";
    this.countError(kind);
    this.release();
  }

  /** An error of this publisher's kind; a service endpoint keeps its own count too. */
  private countError(kind: string): void {
    this.rec.error(this.task.slot, kind);
    const own = this.result.errorKinds;
    if (own) own[kind] = (own[kind] ?? 0) + 1;
  }

  private release(): void {
    this.inFlight--;
    if (this.inFlight >= this.spec.maxInFlight) return;
    if (this.windowWaiter) this.openWindow();
    if (this.waitingForWindow) {
      this.waitingForWindow = false;
      this.pacer.wake();
    }
    if (this.inFlight === 0) this.drained?.();
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

  /** After the last send: wait for acks still due, at most the ack timeout (woken by the last ack, not polled). */
  private async awaitOutstanding(): Promise<void> {
    // The closed loop returns from inside a burst when its quota or time is up: send what it wrote.
    this.endBurst();
    if (this.spec.mode === "core") {
      await Promise.all(this.flushes).catch(() => {});
      await this.nc.flush().catch(() => {});
      return;
    }
    if (this.inFlight > 0 && !this.stopped) {
      let deadline: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        deadline = setTimeout(resolve, this.spec.ackTimeoutMs + 100);
      });
      clearTimeout(deadline);
      this.drained = undefined;
    }
    if (this.spec.mode === "jetstream") this.expirePending();
  }
}

/**
 * The sequence at the end of a PubAck's subject (<inbox>.<seq>), read from the subject's bytes where
 * nats.js keeps them: decoding the subject into a string for every PubAck cost more than the rest.
 */
function inboxSeq(msg: Msg): number {
  const raw = wireSubject(msg);
  if (!raw) return Number(msg.subject.slice(msg.subject.lastIndexOf(".") + 1));
  let n = 0;
  let scale = 1;
  for (let i = raw.length - 1; i >= 0 && raw[i] !== 0x2e; i--) {
    n += (raw[i]! - 0x30) * scale;
    scale *= 10;
  }
  return n;
}

function pubAckErrorKind(msg: Msg): string {
  try {
    const body = msg.json<{ error?: { err_code?: number; code?: number } }>();
    return body.error ? `api:${body.error.err_code ?? body.error.code ?? "unknown"}` : "badPubAck";
  } catch {
    return "badPubAck";
  }
}
