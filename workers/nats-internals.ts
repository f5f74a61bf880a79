/**
 * The one place benchline's data path reaches into nats.js: the connection's protocol handler (its
 * outbound buffer, where whole PUB frames go), and the raw bytes a message arrived with (its subject
 * and reply, which nats.js would decode into strings). Typed with nats.js's own internal types, and the
 * nats.js packages are pinned to exact versions in package.json: an upgrade that moves any of this
 * fails the typecheck, not the throughput. Where a shape is still missing at run time (a build of
 * nats.js other than the pinned one), the slow path is taken and recorded, so the result says which
 * data path ran (env.dataPath) and warns when it was the slow one.
 */
import type { MsgImpl, NatsConnectionImpl, ProtocolHandler } from "@nats-io/nats-core/internal";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import type { DataPath } from "../src/contract/data-path.js";

/** What the frame writers need of the protocol handler. */
export type Outbound = Pick<ProtocolHandler, "sendCommand">;

const encoder = new TextEncoder();

/** Which parts of this thread's data path fell back to nats.js's own, slower, handling. */
const fellBack = new Set<keyof DataPath>();

/**
 * BENCHLINE_DATA_PATH=nats.js takes nats.js's own path for everything (publish(), its parser, its
 * dispatch), so `npm run bench` can set the two paths side by side on one load. The result records it.
 */
export const natsJsPathChosen = process.env.BENCHLINE_DATA_PATH === "nats.js";

/** The connection's outbound buffer, or undefined (recorded) when this nats.js has none. */
export function outboundOf(nc: NatsConnection): Outbound | undefined {
  const protocol = (nc as NatsConnectionImpl).protocol as Partial<ProtocolHandler> | undefined;
  if (typeof protocol?.sendCommand === "function" && !natsJsPathChosen) return protocol as Outbound;
  fellBack.add("publish");
  return undefined;
}

/** The subject's bytes as they came off the wire (no string decode per message). */
export function wireSubject(msg: Msg): Uint8Array | undefined {
  const raw = (msg as MsgImpl)._msg?.subject;
  if (raw instanceof Uint8Array && !natsJsPathChosen) return raw;
  fellBack.add("receive");
  return undefined;
}

/**
 * A message's reply subject as the bytes that came off the wire (nats.js's Msg decodes them into a
 * string on first use; an ack only sends them back). A string, encoded, otherwise.
 */
export function wireReply(msg: Msg): Uint8Array | undefined {
  const raw = (msg as MsgImpl)._msg?.reply;
  if (raw instanceof Uint8Array && raw.length > 0 && !natsJsPathChosen) return raw;
  if (!(msg as MsgImpl)._msg || natsJsPathChosen) fellBack.add("receive");
  return msg.reply ? encoder.encode(msg.reply) : undefined;
}

/** The server's max_payload on this connection, as nats.js checks it in publish(). */
export function maxPayloadOf(nc: NatsConnection): number {
  return nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
}

/** Marks direct delivery as unavailable (direct-delivery.ts found no sid or protocol counters). */
export function deliveryFellBack(): void {
  fellBack.add("deliver");
}

/** Marks the MSG parser's fast path as unavailable (fast-parser.ts could not install). */
export function parserFellBack(): void {
  fellBack.add("parse");
}

/** What this thread's data path was: "frames"/"fast"/"wire"/"direct" where benchline's own ran. */
export function dataPathOfThread(): DataPath {
  return {
    publish: fellBack.has("publish") ? "nats.js" : "frames",
    parse: fellBack.has("parse") ? "nats.js" : "fast",
    receive: fellBack.has("receive") ? "nats.js" : "wire",
    // Direct delivery happens in the fast parser: without it nothing is delivered directly.
    deliver: fellBack.has("deliver") || fellBack.has("parse") ? "nats.js" : "direct",
  };
}
