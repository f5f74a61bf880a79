/**
 * Reading a PubAck without JSON.parse or a string per message: the own sequence at the end of its
 * subject, the stream sequence in its body, and, only for an error body, what the server refused.
 */
import type { Msg } from "@nats-io/transport-node";
import { wireSubject } from "./nats-internals.js";

const SEQ_KEY = [0x22, 0x73, 0x65, 0x71, 0x22, 0x3a]; // "seq":

/** The stream sequence of a PubAck body, or 0 when it has none. */
export function pubAckSeq(data: Uint8Array): number {
  outer: for (let i = 0; i + SEQ_KEY.length < data.length; i++) {
    for (let k = 0; k < SEQ_KEY.length; k++) if (data[i + k] !== SEQ_KEY[k]) continue outer;
    let n = 0;
    for (let j = i + SEQ_KEY.length; j < data.length; j++) {
      const c = data[j]!;
      if (c === 0x20) continue;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
    }
    return n;
  }
  return 0;
}

/**
 * The sequence at the end of a PubAck's subject (<inbox>.<seq>), read from the subject's bytes where
 * nats.js keeps them: decoding the subject into a string for every PubAck cost more than the rest.
 */
export function inboxSeq(msg: Msg): number {
  const raw = wireSubject(msg);
  if (!raw) return Number(msg.subject.slice(msg.subject.lastIndexOf(".") + 1));
  return lastTokenNumber(raw, 0, raw.length);
}

/** The decimal after the last dot of buf[from, end): a PubAck subject's own sequence, read in place. */
export function lastTokenNumber(buf: Uint8Array, from: number, end: number): number {
  let n = 0;
  let scale = 1;
  for (let i = end - 1; i >= from && buf[i] !== 0x2e; i--) {
    n += (buf[i]! - 0x30) * scale;
    scale *= 10;
  }
  return n;
}

const decoder = new TextDecoder();

/** An answer that is not a PubAck: `api:<err_code>` for a JetStream error body, else badPubAck. */
export function pubAckErrorKind(body: Uint8Array): string {
  try {
    const parsed = JSON.parse(decoder.decode(body)) as { error?: { err_code?: number; code?: number } };
    return parsed.error ? `api:${parsed.error.err_code ?? parsed.error.code ?? "unknown"}` : "badPubAck";
  } catch {
    return "badPubAck";
  }
}
