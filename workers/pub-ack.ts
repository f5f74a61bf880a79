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
  let n = 0;
  let scale = 1;
  for (let i = raw.length - 1; i >= 0 && raw[i] !== 0x2e; i--) {
    n += (raw[i]! - 0x30) * scale;
    scale *= 10;
  }
  return n;
}

/** An answer that is not a PubAck: `api:<err_code>` for a JetStream error body, else badPubAck. */
export function pubAckErrorKind(msg: Msg): string {
  try {
    const body = msg.json<{ error?: { err_code?: number; code?: number } }>();
    return body.error ? `api:${body.error.err_code ?? body.error.code ?? "unknown"}` : "badPubAck";
  } catch {
    return "badPubAck";
  }
}
