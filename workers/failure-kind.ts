/**
 * One word for why a request or an operation failed: the one error vocabulary publishers (request mode)
 * and operation clients (KV, Object Store, direct get) count under. What each word means is in
 * src/contract/error-kinds.ts.
 *
 * The order settles an error that reads as more than one (nats.js wraps a cause in a RequestError):
 * 1. `noResponders`: nothing listens (the error, or its cause, is nats.js's NoResponders);
 * 2. `timeout`: no answer in time (a TimeoutError, or its cause; or a message that says so);
 * 3. `api:<code>`: the JetStream API refused (a JetStreamApiError and its kin carry the err_code);
 * 4. the error's name: `requestFailed` for nats.js's RequestError (it says no more than that a
 *    request failed), otherwise the name as it is (`ClosedConnectionError`), `Error` for one without.
 */

type Failure = Error & { code?: unknown; cause?: unknown; apiError?: unknown };

/** The kind of a failed request or operation, in the order above. */
export function failureKind(err: unknown): string {
  const e = (err ?? {}) as Failure;
  const name = typeof e.name === "string" ? e.name : "";
  const cause = (e.cause ?? {}) as Failure;
  const causeName = typeof cause.name === "string" ? cause.name : "";
  const message = typeof e.message === "string" ? e.message : "";
  if (/NoResponders/.test(name) || /NoResponders/.test(causeName) || /no responders/i.test(message))
    return "noResponders";
  if (/Timeout/i.test(name) || /Timeout/i.test(causeName) || /timeout/i.test(message)) return "timeout";
  // JetStreamApiError and its subclasses (StreamNotFoundError, ...): the err_code the server answered.
  if (typeof e.apiError === "function" && e.code !== undefined) return `api:${e.code}`;
  if (name === "RequestError") return "requestFailed";
  return name.replace(/\s+/g, "") || "Error";
}
