/**
 * A JetStream pull consumer spoken in plain NATS, as the publish fast path is: pull requests published to
 * $JS.API.CONSUMER.MSG.NEXT with one inbox subscription for every delivery, acks published to each
 * message's reply subject. nats.js's consume() builds a JsMsg per message and runs its own bookkeeping;
 * this keeps only what a benchmark needs. The protocol is the server's documented pull API: a request
 * { batch, expires }, deliveries with a $JS.ACK reply, status messages (no reply) for the rest.
 */
import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/nats-core";
import { type DirectHandler, deliverDirectly } from "./direct-delivery.js";
import { replyBytes } from "./frames.js";

/** Pull requests expire on the server after this long; a 408 says so and the batch is asked for again. */
const EXPIRES_NS = 30e9;
/**
 * A request the server forgot (a reconnect drops it, and no 408 ever comes) would stall the consumer:
 * after this long without a delivery, ask afresh.
 */
const IDLE_REPULL_MS = 2000;
/**
 * Batches asked for ahead: one batch at a time leaves the consumer idle while the next request crosses
 * the wire. Measured on the pull bench (1M-message backlog, batch 500, this 2-core VM): 1 batch with
 * a re-pull at half 310-321k msgs/s, 2 batches 365-380k, 4 batches 408-431k.
 */
const REQUESTS_IN_FLIGHT = 4;

export class RawPull {
  private sub: Subscription | undefined;
  /** Messages asked for and neither delivered nor expired. */
  private pending = 0;
  private stopped = false;
  private inbox = "";
  /** Whether a delivery came since the watchdog last looked (a flag: a clock read per message costs). */
  private delivered = false;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly subject: string;
  /** Every pull request asks for the same: one batch. */
  private readonly request: string;

  constructor(
    private readonly nc: NatsConnection,
    stream: string,
    durable: string,
    private readonly batch: number,
    /** A delivery with headers, or any where direct delivery is not available. */
    private readonly onDelivery: (data: Uint8Array, reply: Uint8Array, msg: { headers?: MsgHdrs }) => void,
    /** A plain delivery read in place: payload buf[dataAt, dataEnd), reply buf[replyAt, replyEnd). */
    private readonly onPlainDelivery: (
      buf: Uint8Array,
      dataAt: number,
      dataEnd: number,
      replyAt: number,
      replyEnd: number,
    ) => void,
    private readonly onStatus: (code: number) => void,
    private readonly inboxPrefix: string,
  ) {
    this.subject = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`;
    this.request = JSON.stringify({ batch, expires: EXPIRES_NS });
  }

  start(): void {
    const inbox = createInbox(this.inboxPrefix);
    // A refused subscription calls back with an error and no message; the thread names the refusal.
    this.sub = this.nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (!err) this.onMsg(msg);
      },
    });
    deliverDirectly(this.nc, this.sub, this.onPlain);
    this.inbox = inbox;
    this.refill();
    this.watchdog = setInterval(() => {
      if (this.delivered) {
        this.delivered = false;
        return;
      }
      this.pending = 0;
      this.refill();
    }, IDLE_REPULL_MS);
    this.watchdog.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.sub?.unsubscribe();
  }

  /** Requests of `batch` messages until REQUESTS_IN_FLIGHT batches are owed. */
  private refill(): void {
    // The watchdog runs from a timer: a throw there (publish on a connection closed for good) would end
    // the worker thread. The thread reports the lost connection itself.
    if (this.nc.isClosed()) return;
    while (!this.stopped && this.pending + this.batch <= REQUESTS_IN_FLIGHT * this.batch) {
      this.pending += this.batch;
      this.nc.publish(this.subject, this.request, { reply: this.inbox });
    }
  }

  /** A delivery without headers, read in place; a status always has headers, so never comes here. */
  private readonly onPlain: DirectHandler = (
    buf,
    _subjectAt,
    _subjectEnd,
    replyAt,
    replyEnd,
    dataAt,
    dataEnd,
  ) => {
    if (replyEnd > replyAt) {
      this.pending--;
      this.delivered = true;
      this.onPlainDelivery(buf, dataAt, dataEnd, replyAt, replyEnd);
    } else this.onStatus(0);
    this.refillAtHalf();
  };

  private onMsg(msg: Msg): void {
    // A delivery has a reply ($JS.ACK...), kept as bytes: it is only ever sent back as the ack.
    const reply = replyBytes(msg);
    if (reply) {
      this.pending--;
      this.delivered = true;
      this.onDelivery(msg.data, reply, msg);
    } else {
      // A status: 408 (the request expired) and 409 (the server ended it) give back what it still owed;
      // 100 is a heartbeat.
      const code = msg.headers?.code ?? 0;
      if (code === 100) return;
      if (code === 408 || code === 409) {
        const owed = Number(msg.headers?.get("Nats-Pending-Messages") || 0);
        this.pending = Math.max(0, this.pending - (owed || this.pending));
      }
      this.onStatus(code);
    }
    this.refillAtHalf();
  }

  /** Asks again once half of what is owed has come, so the server always has the next batches in hand. */
  private refillAtHalf(): void {
    if (this.pending <= (REQUESTS_IN_FLIGHT / 2) * this.batch) this.refill();
  }
}
