/**
 * One consumer: a core subscription, a queue group member, or a JetStream pull, push or ordered consumer.
 * Every message's header gives the end-to-end latency from its intended send time and its identity, so
 * duplicates, redeliveries, gaps and (after the drain) lost messages can be counted.
 */
import { type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection, Subscription } from "@nats-io/transport-node";
import { TIMING_HEADER } from "../src/contract/payload.js";
import { type ClientResult, type ClientTask, emptyResult } from "../src/engine/protocol.js";
import { atInstant } from "../src/util/time.js";
import { deliveryCount, deliveryCountOfBytes } from "./ack-reply.js";
import { BitSet } from "./bitset.js";
import { deliverDirectly } from "./direct-delivery.js";
import { FrameBatch } from "./frame-batch.js";
import { FramePublisher } from "./frames.js";
import { readIntendedNsAt, readUint32 } from "./payload.js";
import { RawPull } from "./raw-pull.js";
import type { ThreadRecorder } from "./recorder.js";
import { parseTimingHeader } from "./shaped-payload.js";

type ConsumerTask = Extract<ClientTask, { role: "consumer" }>;

export class Consumer {
  private readonly seen: Array<BitSet | undefined>;
  private readonly lastSeq: Int32Array;
  private readonly result: ClientResult;
  private readonly trackGaps: boolean;
  private sub: Subscription | undefined;
  private messages: ConsumerMessages | undefined;
  private raw: RawPull | undefined;
  private lastUnackedReply: Uint8Array | undefined;
  private readonly frames: FramePublisher;
  /**
   * Acks of the raw pull's plain deliveries, one piece a read: made on the first ack (a slab each
   * consumer would otherwise hold for nothing); null where nats.js lacks the outbound buffer.
   */
  private acks: FrameBatch | null | undefined;
  private started = false;
  /** Consume only: what starts consuming, at the start instant; and what cancels that when stopped first. */
  private begin?: () => Promise<void> | void;
  private cancelBegin?: () => void;
  private stopping = false;
  private sinceAck = 0;
  private lastUnacked: JsMsg | undefined;

  constructor(
    private readonly task: ConsumerTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    private readonly stream: string | undefined,
    publisherCount: number,
    private readonly inboxPrefix: string,
    /** Ends the run with this message (the thread posts it as a fault). */
    private readonly onFault: (message: string) => void,
  ) {
    this.seen = new Array(publisherCount);
    this.lastSeq = new Int32Array(publisherCount).fill(-1);
    this.result = emptyResult(task.id, "consumer");
    // Only a consumer that alone receives its publishers' messages sees them in order.
    this.trackGaps = task.spec.kind === "core" || task.spec.kind === "ordered" || task.spec.count === 1;
    rec.deliveries.active = true;
    this.frames = new FramePublisher(nc);
  }

  /** Subscribes (before the start barrier), so no message of the run is missed. */
  async prepare(): Promise<void> {
    const spec = this.task.spec;
    if (spec.kind === "core" || spec.kind === "queue") {
      this.sub = this.nc.subscribe(spec.subject!, {
        queue: spec.queue,
        callback: (err, msg) => {
          if (!err) this.onMessage(msg.data, 0, msg.data.length, false, this.headersOf(msg));
        },
      });
      // Messages without headers are read in place (direct-delivery.ts).
      deliverDirectly(this.nc, this.sub, (buf, _sa, _se, _ra, _re, dataAt, dataEnd) =>
        this.onMessage(buf, dataAt, dataEnd, false, undefined),
      );
      return;
    }
    const js = jetstream(this.nc);
    const onJs = (m: JsMsg) => this.onJsMessage(m);
    let begin: () => Promise<void> | void;
    if (spec.kind === "pull" && !spec.doubleAck) {
      // The fast path: plain pull requests and acks (raw-pull.ts). Double acks need nats.js's ackAck.
      await js.consumers.get(this.stream!, this.task.durable!); // fails here, not silently, when it is missing
      const raw = new RawPull(
        this.nc,
        this.stream!,
        this.task.durable!,
        spec.batch,
        (data, reply, msg) =>
          this.onRawMessage(data, 0, data.length, reply, 0, reply.length, this.headersOf(msg)),
        (buf, dataAt, dataEnd, replyAt, replyEnd) =>
          this.onRawMessage(buf, dataAt, dataEnd, buf, replyAt, replyEnd, undefined),
        (code) => {
          if (code !== 408) this.rec.error(this.task.slot, `pull${code}`);
        },
        this.inboxPrefix,
      );
      this.raw = raw;
      begin = () => raw.start();
    } else if (spec.kind === "pull") {
      const c = await js.consumers.get(this.stream!, this.task.durable!);
      begin = async () => {
        this.messages = await c.consume({ max_messages: spec.batch, callback: onJs });
      };
    } else if (spec.kind === "push") {
      const c = await js.consumers.getPushConsumer(this.stream!, this.task.durable!);
      begin = async () => {
        this.messages = await c.consume({ callback: onJs });
      };
    } else {
      const c = await js.consumers.get(this.stream!, {
        ...(spec.subject && { filter_subjects: [spec.subject] }),
        deliver_policy: spec.deliver === "all" ? DeliverPolicy.All : DeliverPolicy.New,
      });
      begin = async () => {
        this.messages = await c.consume({ max_messages: spec.batch, callback: onJs });
      };
    }
    // With publishers: consume from now on, so no message of the run waits for a pull (and an ordered
    // consumer delivering new messages has them all). Consume only: the backlog is there already; it
    // is consumed from the start instant (start()), so the drain is timed from there. Begun here, a
    // drain of 5,000 messages ended before the instant (50 ms after the go) and read as 0 s.
    if (this.task.consumeOnly) this.begin = begin;
    else await begin();
  }

  start(): void {
    this.started = true;
    const begin = this.begin;
    if (!begin) return;
    this.cancelBegin = atInstant(this.rec, 0, () => {
      this.cancelBegin = undefined;
      Promise.resolve()
        .then(begin)
        .then(
          // Stopped while consume() was under way: what it started is stopped too.
          () => this.stopping && this.messages?.stop(),
          (err: Error) =>
            this.stopping || this.onFault(`a consumer could not begin consuming: ${err.message}`),
        )
        .catch(() => {});
    });
  }

  async stop(): Promise<ClientResult> {
    try {
      this.stopping = true;
      this.cancelBegin?.();
      if (this.lastUnacked) this.lastUnacked.ack();
      if (this.lastUnackedReply) this.frames.publish(this.lastUnackedReply);
      this.raw?.stop();
      this.sub?.unsubscribe();
      this.messages?.stop();
    } catch {
      // The connection may be gone already (the run is ending on a fault); what was received stands.
    }
    this.result.seen = this.seen.map((b) => b?.bytes ?? null);
    return this.result;
  }

  private onJsMessage(m: JsMsg): void {
    const spec = this.task.spec;
    if (spec.ackPolicy === "none") {
      // Without acks the server never redelivers.
      this.onMessage(m.data, 0, m.data.length, false, this.headersOf(m));
      return;
    }
    // The JsMsg interface hides the reply subject its implementation keeps; fall back to `info` without it.
    const reply = (m as JsMsg & { reply?: string }).reply;
    const redelivered = reply ? deliveryCount(reply) > 1 : m.info.redelivered;
    this.onMessage(m.data, 0, m.data.length, redelivered, this.headersOf(m));
    if (spec.ackPolicy === "all") {
      this.lastUnacked = m;
      if (this.batchAckDue()) {
        m.ack();
        this.lastUnacked = undefined;
      }
      return;
    }
    if (spec.doubleAck) {
      const sentRel = this.rec.relNow();
      m.ackAck().then(
        (ok) => {
          if (ok) this.rec.record("ack", (this.rec.relNow() - sentRel) / 1000, this.rec.inMeasure(sentRel));
          else this.rec.error(this.task.slot, "ackFailed");
        },
        () => this.rec.error(this.task.slot, "ackFailed"),
      );
    } else {
      m.ack();
    }
  }

  /**
   * A delivery of the raw pull path: payload data[dataAt, dataEnd), reply subject reply[replyAt,
   * replyEnd) (read in place from the connection's buffer on the direct path); an empty publish to the
   * reply is the ack.
   */
  private onRawMessage(
    data: Uint8Array,
    dataAt: number,
    dataEnd: number,
    reply: Uint8Array,
    replyAt: number,
    replyEnd: number,
    headers?: MsgHdrs,
  ): void {
    const policy = this.task.spec.ackPolicy;
    if (policy === "none") {
      this.onMessage(data, dataAt, dataEnd, false, headers);
      return;
    }
    this.onMessage(data, dataAt, dataEnd, deliveryCountOfBytes(reply, replyAt, replyEnd) > 1, headers);
    if (policy === "all") {
      if (this.batchAckDue()) {
        this.ack(reply, replyAt, replyEnd);
        this.lastUnackedReply = undefined;
        // A view, not a copy: each read arrives in a buffer of its own, never written again.
      } else this.lastUnackedReply = reply.subarray(replyAt, replyEnd);
      return;
    }
    this.ack(reply, replyAt, replyEnd);
  }

  private ack(reply: Uint8Array, replyAt: number, replyEnd: number): void {
    if (this.acks === undefined) this.acks = FrameBatch.on(this.nc) ?? null;
    if (this.acks) this.acks.addEmptyTo(reply, replyAt, replyEnd);
    else this.frames.publish(reply.subarray(replyAt, replyEnd));
  }

  /**
   * Ack policy all acks everything up to a message: one ack a batch (true when this message's ack is
   * due), and the last unacked one at stop.
   */
  private batchAckDue(): boolean {
    if (++this.sinceAck < this.task.spec.batch) return false;
    this.sinceAck = 0;
    return true;
  }

  /** A message whose payload is data[at, end) (a view of the read buffer on the direct path). */
  private onMessage(
    data: Uint8Array,
    at: number,
    end: number,
    redelivered: boolean,
    headers?: MsgHdrs,
  ): void {
    // A shaped payload keeps the user's bytes: its timing and identity come in a header.
    const timing = this.task.timingHeader ? parseTimingHeader(headers?.get(TIMING_HEADER)) : undefined;
    const intendedAbs = timing ? timing.intendedNs : readIntendedNsAt(data, at, end);
    const publisherId = timing ? timing.publisherId : intendedAbs > 0 ? readUint32(data, at + 8) : -1;
    // Consume only: every delivery is the backlog's.
    if (this.task.anyPayload) {
      this.countAny(end - at);
      return;
    }
    if (!this.started || publisherId < 0 || publisherId >= this.seen.length) {
      this.rec.error(this.task.slot, "foreignMessage");
      return;
    }
    const seq = timing ? timing.seq : readUint32(data, at + 12);
    const r = this.result;
    let bits = this.seen[publisherId];
    if (!bits) {
      bits = new BitSet();
      this.seen[publisherId] = bits;
    }
    if (redelivered) r.redeliveries++;
    if (bits.testAndSet(seq)) {
      if (!redelivered) r.duplicates++;
      return;
    }
    const nowRel = this.rec.relNow();
    this.rec.deliveries.record(nowRel);
    const intendedRel = intendedAbs - this.rec.startNs;
    this.rec.record("e2e", (nowRel - intendedRel) / 1000, this.rec.inMeasure(intendedRel));
    this.rec.recordIntended("e2e", (nowRel - intendedRel) / 1000, intendedRel);
    if (this.trackGaps && seq > this.lastSeq[publisherId]! + 1) r.gaps++;
    if (seq > this.lastSeq[publisherId]!) this.lastSeq[publisherId] = seq;
    this.countAny(end - at, nowRel);
  }

  /** Headers are parsed on first read: only when a covered publisher put its timing there. */
  private headersOf(m: { headers?: MsgHdrs }): MsgHdrs | undefined {
    return this.task.timingHeader ? m.headers : undefined;
  }

  /** Counts a delivery; consume-only profiles count every message, whoever wrote it. */
  private countAny(size: number, nowRel = this.rec.relNow()): void {
    const r = this.result;
    r.consumed++;
    r.consumedBytes += size;
    r.lastConsumedNs = nowRel;
    if (this.rec.inMeasure(nowRel)) {
      r.measuredConsumed++;
      r.measuredConsumedBytes += size;
    }
    this.rec.count(this.task.slot, "consumed");
  }
}
