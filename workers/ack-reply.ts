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

/** deliveryCount for the reply subject as bytes (the raw pull path keeps them as they came). */
export function deliveryCountOfBytes(reply: Uint8Array): number {
  let dots = 0;
  for (let i = 0; i < reply.length; i++) if (reply[i] === 46) dots++;
  const tokensAfter = dots + 1 >= 12 ? 5 : 4;
  let end = reply.length;
  for (let k = 0; k < tokensAfter; k++) end = reply.lastIndexOf(46, end - 1);
  let n = 0;
  for (let i = reply.lastIndexOf(46, end - 1) + 1; i < end; i++) n = n * 10 + (reply[i]! - 48);
  return n;
}
