/**
 * One publisher, in core, JetStream or request mode, paced by the shared LoadLoop (open loop at a fixed
 * rate, latency from the intended send time; or closed loop, `max`, a window bounding what is in flight).
 *
 * What a message is lives in MessageShaper; JetStream's PubAcks in PubAckRing (docs/architecture.md,
 * "The JetStream fast path": a plain publish replying to INBOX.<seq>, one wildcard subscription, send
 * times in typed arrays); request mode's replies in RequestReplies. This file counts what was sent and
 * acknowledged.
 */
import { setImmediate as yieldNow } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { type ClientResult, type ClientTask, emptyResult } from "../src/engine/protocol.js";
import { stalled } from "../src/util/time.js";
import { BitSet } from "./bitset.js";
import { type Issuer, LoadLoop } from "./load-loop.js";
import { MessageShaper } from "./message-shaper.js";
import type { Pacer } from "./pacer.js";
import { PubAckRing } from "./pub-ack-ring.js";
import type { ThreadRecorder } from "./recorder.js";
import { RequestReplies } from "./request-replies.js";

type PublisherTask = Extract<ClientTask, { role: "publisher" }>;

/** Core closed loop: windows of maxInFlight messages whose flush (PING/PONG) may be outstanding at once. */
const FLUSHES_IN_FLIGHT = 3;
/** How often counts that no burst reported (acks between bursts) reach the shared counters. */
const REPORT_EVERY_MS = 50;

export class Publisher implements Issuer {
  private readonly spec: PublisherTask["spec"];
  private readonly mode: PublisherTask["spec"]["mode"];
  private readonly loop: LoadLoop;
  private readonly shaper: MessageShaper;
  private readonly ring: PubAckRing | undefined;
  private readonly requests: RequestReplies | undefined;
  private readonly acknowledged = new BitSet();
  private readonly result: ClientResult;
  private readonly flushes: Promise<void>[] = [];
  /** Round trips still waiting for their PONG; all end at once if the connection closes for good. */
  private readonly awaitingPong = new Set<() => void>();
  private unreportedSent = 0;
  private unreportedAcked = 0;
  private reportTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly task: PublisherTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    runTag: string,
    pacer: Pacer,
    /** Where this publisher's PubAck inbox lives (--inbox-prefix). */
    private readonly inboxPrefix: string,
  ) {
    this.spec = task.spec;
    this.mode = this.spec.mode;
    this.result = emptyResult(task.id, "publisher");
    this.shaper = new MessageShaper(task, nc, runTag);
    this.loop = new LoadLoop(
      {
        ratePerSec: task.ratePerSec,
        offsetNs: task.offsetNs,
        burst: this.spec.burst,
        maxInFlight: this.spec.maxInFlight,
        quota: task.quota,
        timeoutMs: this.spec.ackTimeoutMs,
        acknowledged: this.mode !== "core",
      },
      this,
      rec,
      pacer,
      this.result,
    );
    if (this.mode === "jetstream")
      this.ring = new PubAckRing(
        this.spec.maxInFlight,
        this.spec.ackTimeoutMs,
        rec,
        task.slot,
        this,
        task.keepStreamSeqs === true,
      );
    if (this.mode === "request")
      this.requests = new RequestReplies(
        nc,
        rec,
        this,
        this.spec.ackTimeoutMs,
        this.spec.service ? this.spec.name : undefined,
      );
    if (this.mode !== "core") rec.publishes.active = true;
    // One listener on the connection's close for the publisher's life (see flushOrClose).
    else
      void nc.closed().then(() => {
        for (const done of this.awaitingPong) done();
        this.awaitingPong.clear();
      });
  }

  /**
   * Before the start barrier: the payload files read, a service endpoint's subject found, and the
   * PubAck subscription made before the first publish.
   */
  async prepare(): Promise<void> {
    if (this.spec.service) this.result.errorKinds = {};
    await this.shaper.prepare(this.ring?.subscribe(this.nc, this.inboxPrefix));
  }

  stop(): void {
    this.loop.stop();
  }

  async run(): Promise<ClientResult> {
    this.ring?.start();
    this.reportTimer = setInterval(() => this.reportCounts(), REPORT_EVERY_MS);
    try {
      await this.loop.run();
    } finally {
      this.ring?.stop();
      clearInterval(this.reportTimer);
      this.endBurst();
      this.rec.markDone(this.task.slot);
    }
    if (this.mode === "core") this.acknowledged.setFirst(this.result.sent);
    this.result.acknowledged = this.acknowledged.bytes;
    const streamSeqs = this.ring?.streamSeqsOf(this.result.sent);
    if (streamSeqs) this.result.streamSeqs = streamSeqs;
    return this.result;
  }

  /** Sends own sequence `sent` (see Issuer); the loop has counted it in flight. */
  issue(intendedRel: number, nowRel: number, measured: boolean): void {
    const r = this.result;
    const seq = r.sent;
    const intendedAbs = this.rec.startNs + intendedRel;
    let bytes: number;
    if (this.requests) {
      const payload = this.shaper.payloadOf(seq, intendedAbs);
      const headers = this.shaper.headersFor(seq, intendedAbs);
      this.requests.send(this.shaper.subjectOf(seq), payload, headers, seq, intendedRel, measured);
      bytes = payload.length;
    } else bytes = this.shaper.publish(seq, intendedAbs);
    r.sent++;
    r.sentBytes += bytes;
    // Latency belongs to the phase of the intended send time (coordinated omission); throughput to
    // the phase of the actual send, so a generator that falls behind its rate shows a shortfall.
    if (this.rec.inMeasure(nowRel)) {
      r.measuredSent++;
      r.measuredSentBytes += bytes;
    }
    this.unreportedSent++;
    // Core has no acks: every sent message counts as acknowledged (the bitset is made at the end).
    if (this.ring) this.ring.add(seq, intendedRel, nowRel, measured);
    else if (this.mode === "core") this.countAcked(measured);
  }

  /** The end of a burst: its frames go to the connection, its counts to the shared counters. */
  endBurst(): void {
    this.shaper.flush();
    this.reportCounts();
  }

  failed(err: Error): void {
    this.rec.error(this.task.slot, `publishFailed:${err.name || "Error"}`);
  }

  /**
   * Core closed loop: up to FLUSHES_IN_FLIGHT windows await their PONG at once, so a slow round trip
   * does not idle us. A disconnect (the server dropped a slow consumer, say) rejects every PING in
   * flight, and nats.js drops what its buffer held at the next dial: those windows are over, their
   * messages sent and not consumed. The publisher goes on once reconnected (flushes issued while
   * disconnected wait for the next dial, so its buffer stays bounded). nats.js never answers a PING
   * made after its last dial once it gives up and closes, so a close also ends the wait; the publisher
   * then stops at its next publish, which throws.
   */
  makeRoom(): Promise<void> {
    this.flushes.push(this.flushOrClose());
    if (this.flushes.length >= FLUSHES_IN_FLIGHT) return this.flushes.shift()!;
    return yieldNow();
  }

  /** After the outstanding wait: core's flushes answered, JetStream's late PubAcks timed out. */
  async settle(): Promise<void> {
    if (this.mode === "core") {
      // The last round trip says the server has read every window; a server stalling this producer
      // may take longer than the timeout to answer, and the run must end: what it has not read by
      // then counts as sent, not consumed.
      if (!this.nc.isClosed()) this.flushes.push(this.flushOrClose());
      await stalled(Promise.all(this.flushes), this.spec.ackTimeoutMs);
      this.flushes.length = 0;
    }
    this.ring?.expire();
  }

  /**
   * A round trip that never rejects, and ends when the connection closes for good. One listener on the
   * connection's close for the publisher's life: racing each flush against closed() would leave a
   * reaction on that long-lived promise for every window until the run ends.
   */
  private flushOrClose(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.awaitingPong.delete(done);
        resolve();
      };
      this.awaitingPong.add(done);
      this.nc.flush().then(done, done);
    });
  }

  /** A PubAck or a reply for own sequence `seq` (PubAckOwner, ReplyOwner). */
  acked(seq: number, measured: boolean): void {
    this.acknowledged.testAndSet(seq);
    this.countAcked(measured);
    this.loop.release();
  }

  release(): void {
    this.loop.release();
  }

  /** An error of this publisher's kind; a service endpoint keeps its own count too. */
  countError(kind: string): void {
    this.rec.error(this.task.slot, kind);
    const own = this.result.errorKinds;
    if (own) own[kind] = (own[kind] ?? 0) + 1;
  }

  private countAcked(measured: boolean): void {
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
}
