/**
 * The delivery count from a JetStream ack reply subject, without parsing the rest of it (nats.js's
 * `info` parses every token into an object: a sixth of a consumer thread's time at full speed).
 *   v1: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>                 (9 tokens)
 *   v2: $JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>.<token> (12)
 * Stream and consumer names never contain dots, so the token count tells the form.
 */
export function deliveryCount(reply: string): number {
  let dots = 0;
  for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === 46) dots++;
  const tokensAfter = dots + 1 >= 12 ? 5 : 4;
  let end = reply.length;
  for (let k = 0; k < tokensAfter; k++) end = reply.lastIndexOf(".", end - 1);
  let n = 0;
  for (let i = reply.lastIndexOf(".", end - 1) + 1; i < end; i++) n = n * 10 + (reply.charCodeAt(i) - 48);
  return n;
}

/** deliveryCount for a reply subject as bytes, buf[from, to): read in place, as the raw pull gets it. */
export function deliveryCountOfBytes(buf: Uint8Array, from = 0, to = buf.length): number {
  let dots = 0;
  for (let i = from; i < to; i++) if (buf[i] === 46) dots++;
  const tokensAfter = dots + 1 >= 12 ? 5 : 4;
  let end = to;
  for (let k = 0; k < tokensAfter; k++) end = lastDot(buf, from, end - 1);
  let n = 0;
  for (let i = lastDot(buf, from, end - 1) + 1; i < end; i++) n = n * 10 + (buf[i]! - 48);
  return n;
}

/** The index of the last "." in buf[from, upTo], or from - 1. */
function lastDot(buf: Uint8Array, from: number, upTo: number): number {
  let i = upTo;
  while (i >= from && buf[i] !== 46) i--;
  return i;
}
