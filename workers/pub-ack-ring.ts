/**
 * The JetStream fast path's pending sends (docs/architecture.md, "The JetStream fast path"): every publish carries the reply subject
 * <inbox>.<seq>, one wildcard subscription takes every PubAck, and what a PubAck needs of its send
 * (intended and actual send time, measured or not) waits in typed arrays indexed by seq & mask. A slot
 * not answered within the ack timeout, or overwritten when the ring wraps, is a timeout.
 */
import { createInbox, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { deliverDirectly } from "./direct-delivery.js";
import { inboxSeq, lastTokenNumber, pubAckErrorKind, pubAckSeq } from "./pub-ack.js";
import type { ThreadRecorder } from "./recorder.js";

/** What the ring tells its publisher. */
export interface PubAckOwner {
  /** Own sequence `seq` was acknowledged (its latency is recorded). */
  acked(seq: number, measured: boolean): void;
  /** A pending send failed (its kind is counted): room in the window. */
  release(): void;
}

/** How often pending sends are checked against the ack timeout. */
const EXPIRE_EVERY_MS = 50;

export class PubAckRing {
  private readonly mask: number;
  private readonly pendingSeq: Int32Array;
  private readonly intendedAt: Float64Array;
  private readonly sentAt: Float64Array;
  private readonly measuredFlag: Uint8Array;
  /** The oldest seq that may still be pending, and one past the newest sent. */
  private lowSeq = 0;
  private endSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The stream sequence of each acknowledged message, for the acked-loss check (fault runs only). */
  private streamSeqs: Uint32Array | undefined;
  /** The PubAck inbox: every publish replies to <inbox>.<seq>. */
  inbox = "";

  constructor(
    maxInFlight: number,
    private readonly ackTimeoutMs: number,
    private readonly rec: ThreadRecorder,
    private readonly slot: number,
    private readonly owner: PubAckOwner,
    keepStreamSeqs: boolean,
  ) {
    let capacity = 1;
    while (capacity < maxInFlight * 2) capacity <<= 1;
    this.mask = capacity - 1;
    this.pendingSeq = new Int32Array(capacity).fill(-1);
    this.intendedAt = new Float64Array(capacity);
    this.sentAt = new Float64Array(capacity);
    this.measuredFlag = new Uint8Array(capacity);
    if (keepStreamSeqs) this.streamSeqs = new Uint32Array(1 << 16);
  }

  /** Subscribes the PubAck inbox (before the first publish); returns the inbox. */
  subscribe(nc: NatsConnection, inboxPrefix: string): string {
    this.inbox = createInbox(inboxPrefix);
    // A refused subscription calls back with an error and no message; the thread names the refusal.
    const sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (!err) this.onPubAck(msg);
      },
    });
    // Plain PubAcks are read in place (direct-delivery.ts); a 503 status (HMSG) still comes above.
    deliverDirectly(nc, sub, (buf, subjectAt, subjectEnd, _replyAt, _replyEnd, dataAt, dataEnd) =>
      this.onPubAckBody(lastTokenNumber(buf, subjectAt, subjectEnd), buf, dataAt, dataEnd),
    );
    return this.inbox;
  }

  /** Starts timing pending sends out. */
  start(): void {
    this.timer = setInterval(() => this.expire(), EXPIRE_EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A publish of own sequence `seq` went out: its PubAck is pending. */
  add(seq: number, intendedRel: number, nowRel: number, measured: boolean): void {
    const slot = seq & this.mask;
    // The ring wrapped onto a send that never got its ack; it is timed out now.
    if (this.pendingSeq[slot] !== -1) this.fail(slot, "timeout");
    this.pendingSeq[slot] = seq;
    this.intendedAt[slot] = intendedRel;
    this.sentAt[slot] = nowRel;
    this.measuredFlag[slot] = measured ? 1 : 0;
    this.endSeq = seq + 1;
  }

  /** The stream sequence of each of the first `sent` own sequences (0: never acknowledged). */
  streamSeqsOf(sent: number): Uint32Array | undefined {
    return this.streamSeqs?.subarray(0, sent);
  }

  /** A PubAck through nats.js: a status (503: no stream listens), or any where direct delivery is not. */
  private onPubAck(msg: Msg): void {
    const seq = inboxSeq(msg);
    if (msg.headers?.code === 503) {
      const slot = seq & this.mask;
      if (this.pendingSeq[slot] === seq) this.fail(slot, "noResponders");
      return;
    }
    this.onPubAckBody(seq, msg.data, 0, msg.data.length);
  }

  /** The PubAck of own sequence `seq`, its body buf[dataAt, dataEnd). */
  private onPubAckBody(seq: number, buf: Uint8Array, dataAt: number, dataEnd: number): void {
    const slot = seq & this.mask;
    if (this.pendingSeq[slot] !== seq) return; // already timed out
    const rec = this.rec;
    const now = rec.relNow();
    // A PubAck is {"stream":..,"seq":..}; only an error body ({"error":..}) is worth parsing.
    if (dataEnd - dataAt < 3 || buf[dataAt + 2] !== 0x73 /* s */) {
      this.fail(slot, pubAckErrorKind(buf.subarray(dataAt, dataEnd)));
      return;
    }
    const measured = this.measuredFlag[slot] === 1;
    const intended = this.intendedAt[slot]!;
    rec.record("pubAck", (now - intended) / 1000, measured);
    rec.recordIntended("pubAck", (now - intended) / 1000, intended);
    // Closed loop sends at the intended time, so the raw latency is the same number (see aliases).
    if (!rec.aliases.has("pubAckRaw")) rec.record("pubAckRaw", (now - this.sentAt[slot]!) / 1000, measured);
    this.pendingSeq[slot] = -1;
    if (this.streamSeqs) this.keepStreamSeq(seq, pubAckSeq(buf.subarray(dataAt, dataEnd)));
    rec.publishes.record(now);
    this.owner.acked(seq, measured);
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

  private fail(slot: number, kind: string): void {
    this.pendingSeq[slot] = -1;
    this.rec.error(this.slot, kind);
    // A failure still took this long: the fault figures count it, at its time to failure.
    const intended = this.intendedAt[slot]!;
    this.rec.recordIntended("pubAck", (this.rec.relNow() - intended) / 1000, intended, true);
    this.owner.release();
  }

  /** Acks arrive in order nearly always, so expiry walks from the oldest pending seq and stops early. */
  expire(): void {
    const deadline = this.rec.relNow() - this.ackTimeoutMs * 1e6;
    const end = this.endSeq;
    while (this.lowSeq < end) {
      const slot = this.lowSeq & this.mask;
      if (this.pendingSeq[slot] === this.lowSeq) {
        if (this.sentAt[slot]! > deadline) break;
        this.fail(slot, "timeout");
      }
      this.lowSeq++;
    }
  }
}
