/**
 * The one way benchline opens a NATS connection: over TCP (nats://, tls://) with @nats-io/transport-node,
 * or over websockets (ws://, wss://) with nats-core's `wsconnect`, whose W3C WebSocket Node 20 lacks:
 * the `ws` package provides it, through the `wsFactory` option nats-core offers for exactly this (so
 * no global is patched, and wss:// takes the profile's CA, client certificate and --tls-insecure).
 */
import { readFileSync } from "node:fs";
import { type NatsConnection, wsconnect } from "@nats-io/nats-core";
import { type ConnectionOptions, connect } from "@nats-io/transport-node";
import type WebSocket from "ws";
import { UsageError } from "../errors.js";
import { redactUrl } from "../profile/redact.js";

/** How a run's clients reach the servers. */
export type Transport = "tcp" | "websocket";

const isWebsocketUrl = (url: string) => /^wss?:\/\//i.test(url.trim());

/**
 * The transport of a list of server URLs. nats.js keeps one transport factory per thread, which a
 * reconnect reads, so one process's connections must not mix them: a mixed list is refused.
 */
export function transportOf(servers: string[]): Transport {
  const ws = servers.filter(isWebsocketUrl);
  if (ws.length === 0) return "tcp";
  if (ws.length < servers.length)
    throw new UsageError(
      `the server URLs mix websocket (${redactUrl(ws[0]!)}) and TCP (${redactUrl(servers.find((s) => !isWebsocketUrl(s))!)}); name servers of one transport`,
    );
  return "websocket";
}

/** The TLS part of connect options, as connect-options.ts builds it for TCP. */
interface FileTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized?: boolean;
}

/** A `ws` socket for nats-core, with the TLS settings that a W3C WebSocket cannot take. */
function websocketFactory(tls: FileTls | undefined) {
  const options: WebSocket.ClientOptions = {
    ...(tls?.caFile && { ca: readFileSync(tls.caFile) }),
    ...(tls?.certFile && { cert: readFileSync(tls.certFile) }),
    ...(tls?.keyFile && { key: readFileSync(tls.keyFile) }),
    ...(tls?.rejectUnauthorized === false && { rejectUnauthorized: false }),
    // Frames carry NATS protocol that is already compact; compression costs CPU on both ends.
    perMessageDeflate: false,
  };
  // Loaded with the first websocket: a TCP run (and each of its worker threads) never needs it.
  return async (url: string) => {
    const { default: Socket } = await import("ws");
    return { socket: new Socket(url, options), encrypted: /^wss:/i.test(url) };
  };
}

/** Connects over the servers' transport; options as connectOptions builds them. */
export function connectNats(
  options: ConnectionOptions & { servers: string | string[] },
): Promise<NatsConnection> {
  const servers = Array.isArray(options.servers) ? options.servers : [options.servers];
  // tls:// means TLS or nothing: nats.js would otherwise go on in plain text with a server without it,
  // credentials included.
  if (servers.some((s) => /^tls:\/\//i.test(s.trim())) && !options.tls) options = { ...options, tls: {} };
  if (transportOf(servers) === "tcp") return connect(options);
  const { tls, ...rest } = options;
  return wsconnect({
    ...rest,
    wsFactory: websocketFactory(tls as FileTls | undefined),
  } as Parameters<typeof wsconnect>[0]);
}
