/**
 * Whole PUB frames written into slabs, many messages to one buffer, handed to the connection once a
 * burst: no allocation per message (on this VM a small Uint8Array costs about 200 ns, and publish()
 * took about 1 us a message with three of them). The PUB line, the payload and its CRLF sit back to
 * back, and nats.js sends the burst as one piece. A slab is never written again once handed over: the
 * connection may still hold it.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { tooBig } from "./frames.js";
import { maxPayloadOf, type Outbound, outboundOf } from "./nats-internals.js";

const SLAB_BYTES = 512 * 1024;
const PUB = [0x50, 0x55, 0x42, 0x20]; // "PUB "

export class FrameBatch {
  slab = new Uint8Array(SLAB_BYTES);
  view = new DataView(this.slab.buffer);
  private start = 0;
  private at = 0;
  /** Whether a flush at the end of this task is queued (addEmptyTo). */
  private flushQueued = false;
  private readonly flushQueuedFrames = () => {
    this.flushQueued = false;
    this.flush();
  };

  private readonly maxPayload: number;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly outbound: Outbound,
  ) {
    this.maxPayload = maxPayloadOf(nc);
  }

  /** A batch on this connection, or undefined where nats.js lacks the outbound buffer it writes to. */
  static on(nc: NatsConnection): FrameBatch | undefined {
    const outbound = outboundOf(nc);
    return outbound ? new FrameBatch(nc, outbound) : undefined;
  }

  /**
   * Writes "PUB subject [replyPrefix.replySeq] size\r\n" and leaves room for the payload; returns the
   * payload's offset in `slab`, to be written there before the next call. Ends with the CRLF already
   * in place.
   */
  add(subject: Uint8Array, size: number, replyPrefix?: Uint8Array, replySeq = 0): number {
    // As nats.js's publish() does: the server would close the connection on a larger one.
    if (size > this.maxPayload) throw tooBig(size, this.maxPayload);
    let at = this.startFrame(
      4 + subject.length + 1 + (replyPrefix ? replyPrefix.length + 12 : 0) + 12 + size + 2,
    );
    const s = this.slab;
    s.set(subject, at);
    at += subject.length;
    s[at++] = 0x20;
    if (replyPrefix) {
      s.set(replyPrefix, at);
      at += replyPrefix.length;
      s[at++] = 0x2e;
      at = writeNumber(s, at, replySeq);
      s[at++] = 0x20;
    }
    at = writeNumber(s, at, size);
    s[at++] = 0x0d;
    s[at++] = 0x0a;
    const payloadAt = at;
    at += size;
    s[at++] = 0x0d;
    s[at++] = 0x0a;
    this.at = at;
    return payloadAt;
  }

  /**
   * An empty message to the subject buf[at, end): an ack to a delivery's reply subject, copied from
   * the read it arrived in into the slab. Sent at the end of the current task: every ack of one read
   * goes to the connection as one piece (after a pull request that read prompted, which the server
   * takes in either order).
   */
  addEmptyTo(buf: Uint8Array, at: number, end: number): void {
    let w = this.startFrame(4 + (end - at) + 1 + 1 + 4);
    const s = this.slab;
    // A byte loop: a subject is tens of bytes, and a subarray to copy it from would be an allocation.
    for (let i = at; i < end; i++) s[w++] = buf[i]!;
    s[w++] = 0x20;
    s[w++] = 0x30;
    s[w++] = 0x0d;
    s[w++] = 0x0a;
    s[w++] = 0x0d;
    s[w++] = 0x0a;
    this.at = w;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushQueuedFrames);
    }
  }

  /**
   * Hands what was added since the last flush to the connection, as one buffer of its own: a copy,
   * because nats.js's websocket transport sends a frame's whole underlying ArrayBuffer (`frame.buffer`),
   * which for a view into a slab would be the slab. One copy a burst, not one allocation a message.
   */
  flush(): void {
    if (this.at === this.start) return;
    this.outbound.sendCommand(this.slab.slice(this.start, this.at));
    this.start = this.at;
  }

  /**
   * Makes room for a frame of at most `room` bytes and writes its "PUB "; returns where the subject
   * goes. nats.js throws on a closed connection; so must this, or a run would publish into nothing.
   */
  private startFrame(room: number): number {
    if (this.nc.isClosed()) this.nc.publish("closed", new Uint8Array(0));
    if (this.at + room > this.slab.length) this.renew(room);
    const s = this.slab;
    const at = this.at;
    s[at] = PUB[0]!;
    s[at + 1] = PUB[1]!;
    s[at + 2] = PUB[2]!;
    s[at + 3] = PUB[3]!;
    return at + 4;
  }

  private renew(room: number): void {
    this.flush();
    this.slab = new Uint8Array(Math.max(SLAB_BYTES, room));
    this.view = new DataView(this.slab.buffer);
    this.start = 0;
    this.at = 0;
  }
}

/** Writes n in decimal at `at`; returns the offset after it. */
function writeNumber(buf: Uint8Array, at: number, n: number): number {
  if (n === 0) {
    buf[at] = 0x30;
    return at + 1;
  }
  let width = 0;
  for (let m = n; m > 0; m = Math.floor(m / 10)) width++;
  for (let i = at + width - 1; i >= at; i--) {
    buf[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + width;
}
