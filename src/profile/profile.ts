/** The resolved profile: every default filled, every human unit converted, units in the names. */
import type { Threshold } from "../baseline/thresholds.js";

export type PublisherMode = "core" | "jetstream" | "request";
export type ConsumerKind = "core" | "queue" | "pull" | "push" | "ordered";

/** A group of identical publishers; `ratePerSec` is across the group. */
export interface PublisherSpec {
  name: string;
  count: number;
  mode: PublisherMode;
  subject: string;
  spread: number;
  ratePerSec: number | "max";
  maxInFlight: number;
  sizeBytes: { min: number; max: number };
  randomPayload: boolean;
  headers?: Record<string, string>;
  msgId: boolean;
  ackTimeoutMs: number;
  /** Send at the rate for onMs at the start of every everyMs, nothing between (open loop). */
  burst?: { onMs: number; everyMs: number };
}

/** A group of identical consumers. */
export interface ConsumerSpec {
  name: string;
  count: number;
  kind: ConsumerKind;
  /** Subject (core, queue) or filter subject (JetStream); undefined reads the whole stream. */
  subject?: string;
  queue?: string;
  ackPolicy: "explicit" | "none" | "all";
  batch: number;
  maxAckPending: number;
  doubleAck: boolean;
  /** JetStream consumers: "all" reads the stream's existing backlog too. */
  deliver: "new" | "all";
}

export interface ResponderSpec {
  count: number;
  subject: string;
  queue: string;
}

export interface StreamSpec {
  name: string;
  subjects: string[];
  storage: "file" | "memory";
  replicas: number;
  maxBytes?: number;
  maxMsgs?: number;
  maxAgeMs?: number;
  discard: "old" | "new";
  duplicateWindowMs?: number;
  purge: boolean;
  deleteAfter: boolean;
}

/** How to authenticate: one of token, user and password, an nkey seed file, or a creds file. */
export interface AuthSpec {
  token?: string;
  user?: string;
  password?: string;
  /** File holding an nkey seed (SU...); the seed never leaves the process. */
  nkeyFile?: string;
  /** Creds file: a user JWT and its nkey seed. */
  credsFile?: string;
}

export interface TlsSpec {
  /** CA certificate(s) to trust, PEM. */
  caFile?: string;
  /** Client certificate and key, for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** Skip verifying the server's certificate: test servers only, never a default. */
  insecure: boolean;
}

export interface ConnectionSpec {
  /** Connection name prefix the server shows in /connz; threads add -t<N>-c<M>. */
  name: string;
  connectTimeoutMs: number;
  /** -1: forever. */
  reconnectAttempts: number;
  reconnectWaitMs: number;
  reconnectJitterMs: number;
}

/** One tenant: its account's credentials and its own load. */
export interface TenantSpec {
  name: string;
  /** Subject prefix its users may publish and subscribe to on an embedded server. */
  prefix: string;
  auth?: AuthSpec;
  stream?: StreamSpec;
  publishers: PublisherSpec[];
  consumers: ConsumerSpec[];
  responders: ResponderSpec[];
}

/** A validated profile, ready to plan. */
export interface Profile {
  name: string;
  description?: string;
  /** Empty: benchline starts its own server. */
  servers: string[];
  auth?: AuthSpec;
  tls?: TlsSpec;
  connection: ConnectionSpec;
  stream?: StreamSpec;
  publishers: PublisherSpec[];
  consumers: ConsumerSpec[];
  responders: ResponderSpec[];
  warmupMs: number;
  durationMs: number;
  /** When set, the measured phase ends after this many messages across all publishers. */
  messages?: number;
  drainMs: number;
  workers: number;
  connectionsPerWorker: number;
  /** Tenants run side by side, each in its own account; the top-level load is then empty. */
  tenants?: TenantSpec[];
  /** Absolute limits checked on every run and compare. */
  thresholds: Threshold[];
}

/** Bytes benchline writes at the start of every payload: intended send time, publisher id, sequence. */
export const PAYLOAD_HEADER_BYTES = 16;

/** Every publisher, consumer and responder of a profile, its tenants' included. */
export function wholeLoad(profile: Profile): Pick<Profile, "publishers" | "consumers" | "responders"> {
  const tenants = profile.tenants ?? [];
  return {
    publishers: [...profile.publishers, ...tenants.flatMap((t) => t.publishers)],
    consumers: [...profile.consumers, ...tenants.flatMap((t) => t.consumers)],
    responders: [...profile.responders, ...tenants.flatMap((t) => t.responders)],
  };
}
