/**
 * Publishing without nats.js's per-message work: its publish() checks the subject with a regex, builds
 * the PUB line as a string and encodes it with TextEncoder for every message (a fifth of a core pub/sub
 * thread's time, measured with --cpu-prof). Here the PUB line is written as bytes from parts encoded
 * once, and handed to the same connection's outbound buffer, so auth, TLS, reconnects, buffering while
 * reconnecting and the server's -ERR all stay nats.js's. Headers still go through nats.js.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { maxPayloadOf, type Outbound, outboundOf, wireReply } from "./nats-internals.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
const CRLF = encoder.encode("\r\n");
const PUB = encoder.encode("PUB ");
const SPACE = 0x20;
const DOT = 0x2e;

export { wireReply as replyBytes };

/** nats.js's own words when a payload passes the server's max_payload, so both paths refuse alike. */
export function tooBig(size: number, max: number): Error {
  return new Error(`message size of ${size} exceeds the server's max_payload of ${max}`);
}

const digits = (n: number) => (n < 10 ? 1 : Math.floor(Math.log10(n)) + 1);

function writeNumber(buf: Uint8Array, at: number, n: number, width: number): number {
  for (let i = width - 1; i >= 0; i--) {
    buf[at + i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + width;
}

export class FramePublisher {
  private readonly outbound: Outbound | undefined;

  constructor(private readonly nc: NatsConnection) {
    // A nats.js that no longer has this shape is used through publish(): slower, never wrong.
    this.outbound = outboundOf(nc);
  }

  /** The subject (and reply prefix) as bytes, once: "PUB subject " and "reply." */
  static prepare(text: string): Uint8Array {
    return encoder.encode(text);
  }

  /**
   * PUB subject [replyPrefix.seq] len, then the payload. `subject` and `replyPrefix` come from
   * prepare() or from a message's own reply bytes; the subject was checked when the profile loaded,
   * a reply is the server's or benchline's inbox.
   */
  publish(subject: Uint8Array, data: Uint8Array = EMPTY, replyPrefix?: Uint8Array, replySeq = 0): void {
    if (!this.outbound) {
      const reply = replyPrefix ? `${decoder.decode(replyPrefix)}.${replySeq}` : undefined;
      this.nc.publish(decoder.decode(subject), data, reply ? { reply } : undefined);
      return;
    }
    // nats.js throws on a closed connection; so must this, or a run would publish into nothing.
    if (this.nc.isClosed()) this.nc.publish(decoder.decode(subject), data);
    const max = maxPayloadOf(this.nc);
    if (data.length > max) throw tooBig(data.length, max);
    const lenWidth = digits(data.length);
    const seqWidth = replyPrefix ? digits(replySeq) : 0;
    const size =
      PUB.length +
      subject.length +
      1 +
      (replyPrefix ? replyPrefix.length + 1 + seqWidth + 1 : 0) +
      lenWidth +
      2;
    const line = new Uint8Array(size);
    line.set(PUB, 0);
    line.set(subject, PUB.length);
    let at = PUB.length + subject.length;
    line[at++] = SPACE;
    if (replyPrefix) {
      line.set(replyPrefix, at);
      at += replyPrefix.length;
      line[at++] = DOT;
      at = writeNumber(line, at, replySeq, seqWidth);
      line[at++] = SPACE;
    }
    at = writeNumber(line, at, data.length, lenWidth);
    line[at++] = 0x0d;
    line[at] = 0x0a;
    this.outbound.sendCommand(line, data, CRLF);
  }
}
