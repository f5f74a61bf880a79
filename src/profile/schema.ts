/**
 * The profile file format. One zod schema is the source of truth: the loader validates with it and
 * the JSON Schema shipped in profiles/ is generated from it. Human forms ("30s", "1KiB") are accepted
 * here and converted once, in resolve.ts.
 */
import { z } from "zod";
import { faultSchema } from "./fault-schema.js";
import { durationInput as duration, sizeInput as size } from "./field-parsers.js";
import {
  directSchema,
  kvSchema,
  objectsSchema,
  payloadSchema,
  serviceTargetSchema,
} from "./workload-schema.js";

const count = (what: string) => z.number().int().positive().describe(what);

export const streamSchema = z
  .strictObject({
    name: z.string().regex(/^[^.*>\s]+$/, "a stream name has no spaces, dots or wildcards"),
    subjects: z.array(z.string().min(1)).min(1),
    storage: z.enum(["file", "memory"]).default("file"),
    replicas: z.number().int().min(1).max(5).default(1),
    maxBytes: size.optional(),
    maxMsgs: z.number().int().positive().optional(),
    maxAge: duration.optional(),
    discard: z.enum(["old", "new"]).default("old"),
    duplicateWindow: duration.optional(),
    purge: z.boolean().default(true).describe("purge the stream before the run"),
    allowDirect: z.boolean().default(false).describe("allow direct gets (allow_direct); direct: sets it"),
    deleteAfter: z
      .boolean()
      .default(true)
      .describe("delete the stream after the run, when benchline created it"),
  })
  .describe("the JetStream stream to create, or reuse when it exists");

export const publisherSchema = z
  .strictObject({
    name: z.string().optional(),
    count: count("publishers of this kind").default(1),
    mode: z.enum(["core", "jetstream", "request"]).default("core"),
    subject: z.string().min(1).optional().describe("required unless service names the endpoint to drive"),
    spread: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1)
      .describe("spread messages round-robin over SUBJECT.0 .. SUBJECT.(N-1)"),
    rate: z
      .union([z.number().positive(), z.literal("max")])
      .default("max")
      .describe('messages per second across this entry\'s publishers, or "max" (closed loop)'),
    maxInFlight: count("unacknowledged messages allowed per publisher").default(1000),
    size: z
      .union([size, z.strictObject({ min: size, max: size })])
      .default(128)
      .describe("message size, fixed or a uniform range"),
    randomPayload: z.boolean().default(false).describe("fill payloads with random bytes instead of zeros"),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe("headers to send; values may be templates with {{fields}}, as payload.template"),
    payload: payloadSchema.optional(),
    timing: z
      .enum(["payload", "header", "off"])
      .optional()
      .describe(
        "where e2e timing goes: the first 16 payload bytes (default), a header (default with payload), or off",
      ),
    service: serviceTargetSchema.optional(),
    msgId: z.boolean().default(false).describe("set Nats-Msg-Id for JetStream de-duplication"),
    ackTimeout: duration
      .default("5s")
      .describe("how long to wait for a PubAck or reply before counting a timeout"),
    burst: z
      .strictObject({
        on: duration.describe("how long each burst sends at the rate"),
        every: duration.describe("how often a burst starts"),
      })
      .optional()
      .describe(
        "send in bursts: at RATE for ON, at the start of every EVERY, silent between (open loop only)",
      ),
  })
  .describe("a group of identical publishers");

export const consumerSchema = z
  .strictObject({
    name: z.string().optional(),
    count: count("consumers of this kind").default(1),
    kind: z.enum(["core", "queue", "pull", "push", "ordered"]).default("core"),
    subject: z.string().min(1).optional().describe("subject (core, queue) or filter subject (JetStream)"),
    queue: z.string().optional(),
    ackPolicy: z.enum(["explicit", "none", "all"]).default("explicit"),
    batch: z.number().int().min(1).max(100_000).default(500),
    maxAckPending: z.number().int().min(1).default(20_000),
    doubleAck: z
      .boolean()
      .default(false)
      .describe("wait for the server to confirm each ack; measures ack latency"),
    deliver: z
      .enum(["new", "all"])
      .default("new")
      .describe("JetStream: start with messages published from now on, or with the stream's whole backlog"),
  })
  .describe("a group of identical consumers");

export const responderSchema = z
  .strictObject({
    count: count("responders").default(1),
    subject: z.string().min(1),
    queue: z.string().default("benchline-responders"),
  })
  .describe("responders that echo requests back");

/** One way to authenticate; secrets as ${ENV} references. */
export const authSchema = z.strictObject({
  token: z.string().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  nkey: z.string().optional().describe("file holding an nkey seed (SU...); relative to this profile"),
  creds: z.string().optional().describe("creds file (user JWT and seed); relative to this profile"),
});

export const tenantSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, - and _"),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "one subject token")
      .optional()
      .describe("the subject prefix the tenant's users may use (default: its name)"),
    auth: authSchema
      .optional()
      .describe("the tenant's credentials on a named server; an embedded server makes its own"),
    stream: streamSchema.optional(),
    publishers: z
      .array(publisherSchema)
      .min(1)
      .optional()
      .describe("required unless consumers, kv, objects or direct give the tenant's load"),
    consumers: z.array(consumerSchema).default([]),
    responders: z.array(responderSchema).default([]),
    kv: kvSchema.optional(),
    objects: objectsSchema.optional(),
    direct: directSchema.optional(),
  })
  .describe("one tenant: an account of its own");

export const profileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, - and _")
      .optional(),
    description: z.string().optional(),
    servers: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .describe("server URLs; none: benchline starts its own"),
    transport: z
      .enum(["tcp", "websocket"])
      .optional()
      .describe(
        "how clients reach the servers: tcp (default) or websocket; benchline's own server then opens a websocket listener, named servers take ws:// or wss:// URLs",
      ),
    auth: authSchema
      .optional()
      .describe("credentials; write secrets as environment references ($" + "{ENV_VAR}), never inline"),
    tls: z
      .strictObject({
        ca: z.string().optional().describe("CA certificate file (PEM) that signed the server's certificate"),
        cert: z.string().optional().describe("client certificate file (PEM), for mutual TLS"),
        key: z.string().optional().describe("client key file (PEM), for mutual TLS"),
        insecure: z
          .boolean()
          .default(false)
          .describe("do not verify the server's certificate: test servers only"),
      })
      .optional()
      .describe("TLS to the servers; file paths are relative to this profile"),
    connection: z
      .strictObject({
        name: z.string().min(1).optional().describe('connection name prefix (default "benchline")'),
        connectTimeout: duration.optional().describe('default "5s"'),
        inboxPrefix: z
          .string()
          .regex(
            /^[^\s.*>]+(\.[^\s.*>]+)*$/,
            "a subject prefix: tokens without spaces, dots at the ends, * or >",
          )
          .optional()
          .describe(
            'subject prefix of every inbox benchline subscribes to (default "_INBOX"); grant subscribe "<prefix>.>"',
          ),
        reconnect: z
          .strictObject({
            attempts: z.number().int().min(-1).max(1_000_000).optional().describe("-1: forever (default 3)"),
            wait: duration.optional().describe('between attempts (default "500ms")'),
            jitter: duration.optional().describe('random extra wait (default "100ms")'),
          })
          .optional(),
      })
      .optional()
      .describe("connection name, connect timeout and reconnect settings"),
    stream: streamSchema.optional(),
    publishers: z
      .array(publisherSchema)
      .min(1)
      .optional()
      .describe("required unless tenants, consumers (consume only), kv, objects or direct give the load"),
    consumers: z.array(consumerSchema).default([]),
    responders: z.array(responderSchema).default([]),
    kv: kvSchema.optional(),
    objects: objectsSchema.optional(),
    direct: directSchema.optional(),
    tenants: z
      .array(tenantSchema)
      .min(1)
      .optional()
      .describe("isolated accounts, each with its own credentials, stream and load, run side by side"),
    warmup: duration.default("1s").describe("measured, then discarded"),
    duration: duration.default("10s").describe("the measured phase"),
    messages: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("end the measured phase after this many messages across all publishers"),
    drain: duration.default("5s").describe("how long consumers may catch up before loss is counted"),
    workers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe("worker threads (default: sized from the load, leaving a server on this host a core)"),
    faults: z
      .array(faultSchema)
      .min(1)
      .optional()
      .describe("faults injected on the run's clock: kill, restart, pause, lameDuck, stepdown, network"),
    thresholds: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'absolute limits checked on every run, e.g. { "pubAck.p99": "< 20ms", "counts.lost": "== 0" }',
      ),
    connectionsPerWorker: z.number().int().min(1).max(64).default(1),
  })
  .describe("a benchline load profile");

/** A profile as written in the file, after defaults. */
export type ProfileInput = z.output<typeof profileSchema>;
