/** Turns a schema-valid ProfileInput into a Profile: units converted, cross-field rules checked. */
import { checkThresholdsProduced, parseThreshold } from "../baseline/thresholds.js";
import { PAYLOAD_HEADER_BYTES } from "../contract/payload.js";
import type { Profile, PublisherSpec } from "../contract/profile.js";
import { UsageError } from "../errors.js";
import { resolveFaults } from "../faults/spec.js";
import { resolveConnection } from "./connection.js";
import { fieldParsers } from "./field-parsers.js";
import {
  checkHeaderTemplates,
  resolveDirect,
  resolveKv,
  resolveObjects,
  resolvePayload,
} from "./resolve-workloads.js";
import type { ProfileInput } from "./schema.js";
import { publisherSubject, subjectMatches } from "./subjects.js";

/** Limits beyond which a value is a typo, not a load this host could generate. */
export const LIMITS = {
  maxRatePerSec: 10_000_000,
  maxMessageBytes: 64 * 1024 * 1024,
  maxClients: 2000,
  maxDurationMs: 7 * 86_400_000,
};

export function resolveProfile(input: ProfileInput, fallbackName: string, file: string): Profile {
  const { fail, ms, bytes } = fieldParsers(file);

  if (input.tenants) return resolveTenants(input, input.tenants, fallbackName, file);
  const otherLoad = input.consumers.length > 0 || input.kv || input.objects || input.direct;
  if (!input.publishers && !otherLoad)
    fail(
      "publishers",
      "add at least one publisher (or consumers to drain a stream, kv, objects, direct, or tenants)",
    );

  const publishers: PublisherSpec[] = (input.publishers ?? []).map((p, i) => {
    const at = `publishers[${i}]`;
    const range = typeof p.size === "object" ? p.size : { min: p.size, max: p.size };
    const sizeBytes = { min: bytes(range.min, `${at}.size`), max: bytes(range.max, `${at}.size`) };
    const payload = p.payload && resolvePayload(p.payload, at, file);
    checkHeaderTemplates(p.headers, at, file);
    const timing = p.timing ?? (payload ? "header" : undefined);
    if (timing === "payload" && payload)
      fail(`${at}.timing`, "a shaped payload keeps the user's bytes: use timing header or off");
    if (p.service && p.mode !== "request")
      fail(`${at}.service`, "a micro service is driven with mode request");
    if (p.service && p.subject) fail(`${at}.subject`, "give a subject or a service endpoint, not both");
    if (!p.service && !p.subject) fail(`${at}.subject`, "required (or a service endpoint to drive)");
    if (!payload && timing !== "header" && timing !== "off" && sizeBytes.min < PAYLOAD_HEADER_BYTES) {
      fail(
        `${at}.size`,
        `${sizeBytes.min} bytes is too small; benchline needs at least ${PAYLOAD_HEADER_BYTES} (send time and sequence)`,
      );
    }
    if (sizeBytes.max > LIMITS.maxMessageBytes) {
      fail(
        `${at}.size`,
        `${sizeBytes.max} bytes is above the ${LIMITS.maxMessageBytes / 1024 / 1024} MiB NATS allows`,
      );
    }
    if (sizeBytes.max < sizeBytes.min) fail(`${at}.size`, "max is below min");
    const burst = p.burst && {
      onMs: ms(p.burst.on, `${at}.burst.on`),
      everyMs: ms(p.burst.every, `${at}.burst.every`),
    };
    if (burst && p.rate === "max") fail(`${at}.burst`, 'bursts need a rate in msgs/s, not "max"');
    if (burst && !(burst.onMs > 0 && burst.onMs < burst.everyMs))
      fail(`${at}.burst`, "on must be above zero and shorter than every");
    if (p.rate !== "max" && p.rate > LIMITS.maxRatePerSec) {
      fail(
        `${at}.rate`,
        `${p.rate} msgs/s is beyond what one host can generate (at most ${LIMITS.maxRatePerSec})`,
      );
    }
    return {
      name: p.name ?? (p.service ? `${p.service.name}.${p.service.endpoint}` : `${p.mode}-publisher-${i}`),
      count: p.count,
      mode: p.mode,
      // A service's endpoint subject is read from $SRV.INFO when the run starts (engine/services.ts).
      subject: p.subject ?? "",
      spread: p.spread,
      ratePerSec: p.rate,
      maxInFlight: p.maxInFlight,
      sizeBytes,
      randomPayload: p.randomPayload,
      headers: p.headers,
      msgId: p.msgId,
      ackTimeoutMs: ms(p.ackTimeout, `${at}.ackTimeout`),
      ...(burst && { burst }),
      ...(payload && { payload }),
      ...(timing !== undefined && timing !== "payload" && { timing }),
      ...(p.service && { service: p.service }),
    };
  });

  const stream = input.stream && {
    name: input.stream.name,
    subjects: input.stream.subjects,
    storage: input.stream.storage,
    replicas: input.stream.replicas,
    maxBytes:
      input.stream.maxBytes === undefined ? undefined : bytes(input.stream.maxBytes, "stream.maxBytes"),
    maxMsgs: input.stream.maxMsgs,
    maxAgeMs: input.stream.maxAge === undefined ? undefined : ms(input.stream.maxAge, "stream.maxAge"),
    discard: input.stream.discard,
    duplicateWindowMs:
      input.stream.duplicateWindow === undefined
        ? undefined
        : ms(input.stream.duplicateWindow, "stream.duplicateWindow"),
    // A consume-only run drains what is there: never purge it first.
    purge: input.stream.purge && publishers.length > 0,
    deleteAfter: input.stream.deleteAfter,
    ...((input.stream.allowDirect || input.direct) && { allowDirect: true }),
  };

  publishers.forEach((p, i) => {
    if (p.mode !== "jetstream") return;
    if (!stream) fail(`publishers[${i}].mode`, "jetstream publishers need a stream: add a stream section");
    const subject = publisherSubject(p.subject, p.spread, 0);
    if (!stream!.subjects.some((f) => subjectMatches(f, subject))) {
      fail(
        `publishers[${i}].subject`,
        `${subject} is not among the stream's subjects ${stream!.subjects.join(", ")}`,
      );
    }
  });

  const consumers = input.consumers.map((c, i) => {
    const at = `consumers[${i}]`;
    const jetstream = c.kind === "pull" || c.kind === "push" || c.kind === "ordered";
    if (jetstream && !stream) fail(`${at}.kind`, `${c.kind} consumers read a stream: add a stream section`);
    if (!jetstream && !c.subject) fail(`${at}.subject`, `${c.kind} consumers need a subject`);
    return {
      name: c.name ?? `${c.kind}-consumer-${i}`,
      count: c.count,
      kind: c.kind,
      subject: c.subject,
      queue: c.kind === "queue" ? (c.queue ?? `benchline-q${i}`) : undefined,
      // Ordered consumers never ack: the server creates them with ack policy none.
      ackPolicy: c.kind === "ordered" ? ("none" as const) : c.ackPolicy,
      batch: c.batch,
      maxAckPending: c.maxAckPending,
      doubleAck: c.doubleAck,
      deliver: c.deliver,
    };
  });

  const kv = input.kv && resolveKv(input.kv, file);
  const objects = input.objects && resolveObjects(input.objects, file);
  const direct = input.direct && resolveDirect(input.direct, stream, file);
  const clients =
    [kv?.clients, objects?.clients, direct?.clients].reduce(
      (n, list) => n + (list ?? []).reduce((m, c) => m + c.count, 0),
      0,
    ) +
    publishers.reduce((n, p) => n + p.count, 0) +
    consumers.reduce((n, c) => n + c.count, 0) +
    input.responders.reduce((n, r) => n + r.count, 0);
  if (clients > LIMITS.maxClients)
    fail("publishers", `${clients} clients in all is more than ${LIMITS.maxClients}`);

  const thresholds = Object.entries(input.thresholds ?? {}).map(([metric, text]) =>
    parseThreshold(metric, text, file),
  );
  const common = resolveCommon(input, fallbackName, file);
  const faults =
    input.faults &&
    resolveFaults(input.faults, fieldParsers(file), {
      durationMs: common.messages === undefined ? common.durationMs : Number.POSITIVE_INFINITY,
      hasStream: stream !== undefined,
      replicas: stream?.replicas ?? 1,
      hasDurable: consumers.some((c) => c.kind === "pull" || c.kind === "push"),
    });
  const profile: Profile = {
    ...common,
    ...(faults && { faults }),
    stream,
    publishers,
    consumers,
    responders: input.responders,
    ...(kv && { kv }),
    ...(objects && { objects }),
    ...(direct && { direct }),
    thresholds,
  };
  checkThresholdsProduced(profile, thresholds, file);
  return profile;
}

type CommonFields = Omit<
  Profile,
  | "stream"
  | "publishers"
  | "consumers"
  | "responders"
  | "tenants"
  | "thresholds"
  | "kv"
  | "objects"
  | "direct"
>;

/** What every profile has whatever its load: names, servers, connection, timing, threads. */
function resolveCommon(input: ProfileInput, fallbackName: string, file: string): CommonFields {
  const { fail, ms } = fieldParsers(file);
  const durationMs = ms(input.duration, "duration");
  if (durationMs <= 0 && input.messages === undefined)
    fail("duration", "must be above zero (or set messages)");
  if (durationMs > LIMITS.maxDurationMs) fail("duration", "is longer than 7 days");
  return {
    name: input.name ?? fallbackName,
    description: input.description,
    servers:
      input.servers === undefined ? [] : Array.isArray(input.servers) ? input.servers : [input.servers],
    ...(input.transport && { transport: input.transport }),
    ...resolveConnection(input, file),
    warmupMs: ms(input.warmup, "warmup"),
    durationMs,
    messages: input.messages,
    drainMs: ms(input.drain, "drain"),
    workers: input.workers,
    connectionsPerWorker: input.connectionsPerWorker,
  };
}

/**
 * A profile of tenants: each tenant's load is resolved as a profile of its own (same timing, its own
 * stream, publishers and consumers), and problems are reported at their path under tenants[i].
 */
function resolveTenants(
  input: ProfileInput,
  tenants: NonNullable<ProfileInput["tenants"]>,
  fallbackName: string,
  file: string,
): Profile {
  const misplaced =
    (["publishers", "stream", "kv", "objects", "direct"] as const).find((k) => input[k] !== undefined) ??
    (input.consumers.length ? "consumers" : input.responders.length ? "responders" : undefined);
  if (misplaced)
    throw new UsageError(
      `${file}: ${misplaced}: with tenants, the load goes inside each tenant; move it there`,
    );
  const names = new Set<string>();
  let faults: Profile["faults"];
  const resolved = tenants.map((t, i) => {
    if (names.has(t.name)) throw new UsageError(`${file}: tenants[${i}].name: ${t.name} is used twice`);
    names.add(t.name);
    let sub: Profile;
    try {
      sub = resolveProfile(
        {
          ...input,
          tenants: undefined,
          auth: t.auth,
          stream: t.stream,
          publishers: t.publishers,
          consumers: t.consumers,
          responders: t.responders,
          kv: t.kv,
          objects: t.objects,
          direct: t.direct,
          thresholds: undefined,
        },
        fallbackName,
        file,
      );
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      throw new UsageError(err.message.replace(`${file}: `, `${file}: tenants[${i}].`));
    }
    // One fault timeline for the target, checked against every tenant's load (its stream, its durables).
    faults ??= sub.faults;
    return {
      name: t.name,
      prefix: t.prefix ?? t.name,
      auth: sub.auth,
      stream: sub.stream,
      publishers: sub.publishers,
      consumers: sub.consumers,
      responders: sub.responders,
      ...(sub.kv && { kv: sub.kv }),
      ...(sub.objects && { objects: sub.objects }),
      ...(sub.direct && { direct: sub.direct }),
    };
  });
  const thresholds = Object.entries(input.thresholds ?? {}).map(([metric, text]) =>
    parseThreshold(metric, text, file),
  );
  const profile: Profile = {
    ...resolveCommon(input, fallbackName, file),
    publishers: [],
    consumers: [],
    responders: [],
    tenants: resolved,
    ...(faults && { faults }),
    thresholds,
  };
  // Thresholds judge the tenants' load taken together.
  checkThresholdsProduced(profile, thresholds, file);
  return profile;
}
