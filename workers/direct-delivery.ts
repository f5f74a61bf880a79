/**
 * Direct delivery: a load subscription's plain MSG frames go from the read buffer straight to its
 * handler, as offsets into the buffer. nats.js's own way costs, per message, an event object, a message
 * object, three subarrays (subject, reply, payload), a MsgImpl and a callback; a PubAck or a benchmark
 * delivery needs none of them, only a few bytes read in place. Everything else (HMSG, statuses, a frame
 * cut across two reads, a subscription not registered here) still reaches the subscription's nats.js
 * callback, so the handler only ever sees whole plain messages.
 */
import type { NatsConnectionImpl, SubscriptionImpl } from "@nats-io/nats-core/internal";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { deliveryFellBack, natsJsPathChosen } from "./nats-internals.js";

/**
 * One MSG frame, read in place: the subject is buf[subjectAt, subjectEnd), the reply
 * buf[replyAt, replyEnd) (empty when there is none), the payload buf[dataAt, dataEnd). The buffer is
 * the read's own (Node hands each socket read a fresh one, never written again; nats.js's own messages
 * are views of it too), so a view may be kept, at the cost of keeping the whole read alive.
 */
export type DirectHandler = (
  buf: Uint8Array,
  subjectAt: number,
  subjectEnd: number,
  replyAt: number,
  replyEnd: number,
  dataAt: number,
  dataEnd: number,
) => void;

/** A registered subscription: its handler, and nats.js's count of what it received. */
export interface DirectEntry {
  handler: DirectHandler;
  sub: { received: number };
}

/** What the parser reaches through its dispatcher: the protocol handler of one connection. */
export interface DirectTarget {
  benchlineDirect?: Map<number, DirectEntry>;
  inMsgs: number;
  inBytes: number;
}

/**
 * Registers `handler` for the plain messages of `sub` on `nc`; returns false (nothing registered, the
 * fallback recorded in env.dataPath) where this nats.js lacks the shapes it needs: the subscription's
 * nats.js callback then takes every message.
 * Sids outlive reconnects (nats.js resubscribes under the same sid), so the registration does too.
 * Not for a subscription with a message limit (unsubscribe(max)): processMsg, which enforces it, is
 * what this skips.
 */
export function deliverDirectly(nc: NatsConnection, sub: Subscription, handler: DirectHandler): boolean {
  const protocol = (nc as NatsConnectionImpl).protocol as unknown as Partial<DirectTarget> | undefined;
  const sid = (sub as SubscriptionImpl).sid;
  if (natsJsPathChosen || !protocol || typeof protocol.inMsgs !== "number" || typeof sid !== "number") {
    deliveryFellBack();
    return false;
  }
  protocol.benchlineDirect ??= new Map();
  const direct = protocol.benchlineDirect;
  direct.set(sid, { handler, sub: sub as SubscriptionImpl });
  // Gone with the subscription: a later sid is never this one, but a message already read must not
  // reach a handler whose subscription has ended (nats.js drops those too).
  sub.closed.then(
    () => direct.delete(sid),
    () => direct.delete(sid),
  );
  return true;
}
