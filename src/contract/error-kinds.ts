/**
 * What each error kind means: benchline's own kinds and the JetStream API error codes a publish, a pull or
 * an API request can answer with (`api:<code>`, the server's `err_code`, worded as nats-server's
 * errors.json words them). One table for the terminal, Markdown, HTML and warnings alike.
 */

/** nats-server's JetStream API error codes that a load can meet, and what each says. */
export const JETSTREAM_API_ERRORS: Readonly<Record<number, string>> = {
  10002: "resource limits exceeded for account",
  10003: "bad request",
  10004: "incomplete results",
  10008: "JetStream system temporarily unavailable",
  10009: "JetStream cluster can not handle request",
  10010: "JetStream clustering support required",
  10013: "consumer name already in use",
  10014: "consumer not found",
  10023: "insufficient resources",
  10025: "invalid JSON",
  10026: "maximum consumers limit reached",
  10027: "maximum number of streams reached",
  10028: "insufficient memory resources available",
  10035: "account not found",
  10037: "no message found",
  10039: "JetStream not enabled for account",
  10047: "insufficient storage resources available",
  10053: "stream limits exceeded",
  10054: "message size exceeds maximum allowed",
  10056: "stream name in subject does not match request",
  10058: "stream name already in use with a different configuration",
  10059: "stream not found",
  10060: "expected stream does not match",
  10063: "expected stream sequence does not match",
  10065: "subjects overlap with an existing stream",
  10070: "wrong last msg ID",
  10071: "wrong last sequence",
  10074: "replicas > 1 not supported in non-clustered mode",
  10076: "JetStream not enabled",
  10077: "storing the message failed (a stream limit: maximum messages, bytes or per subject)",
  10097: "header size exceeds maximum allowed of 64k",
  10109: "invalid operation on sealed stream",
  10118: "stream is offline",
  10119: "consumer is offline",
};

/** benchline's own error kinds. */
const KINDS: Readonly<Record<string, string>> = {
  timeout: "no answer within the ack timeout",
  noResponders: "nothing listens on the subject (503 no responders: no stream captures it, or no service)",
  badPubAck: "an answer that is not a PubAck",
  requestFailed: "the request failed",
  foreignMessage: "a message benchline did not send",
  ackFailed: "an ack the server did not take",
  pull408: "a pull request expired",
  pull409: "the server ended a pull request (consumer deleted, or leadership moved)",
};

/** The meaning of an error kind, or undefined for one without a known meaning. */
export function errorKindMeaning(kind: string): string | undefined {
  const api = /^api:(\d+)$/.exec(kind);
  if (api) return JETSTREAM_API_ERRORS[Number(api[1])];
  if (kind.startsWith("publishFailed:")) return `the publish threw ${kind.slice("publishFailed:".length)}`;
  if (kind.startsWith("serviceError:")) return `the service answered with error code ${kind.slice(13)}`;
  return KINDS[kind];
}

/** "api:10077 (storing the message failed ...)"; a kind without a known meaning as it is. */
export function describeErrorKind(kind: string): string {
  const meaning = errorKindMeaning(kind);
  return meaning ? `${kind} (${meaning})` : kind;
}

/** "3 timeout (no answer ...), 2 api:10077 (...)", the most frequent first. */
export function describeErrorCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${n} ${describeErrorKind(kind)}`)
    .join(", ");
}
