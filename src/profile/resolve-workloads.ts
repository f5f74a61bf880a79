/**
 * Resolves the workload keys (kv, objects, direct) and a publisher's payload: units converted, mixes
 * checked to add up, payload files checked to exist, templates compiled so a field that does not exist
 * fails here, naming the file and key.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { z } from "zod";
import { PAYLOAD_HEADER_BYTES } from "../contract/payload.js";
import type { DirectSpec, KvSpec, ObjectsSpec, PayloadSpec } from "../contract/workloads.js";
import { UsageError } from "../errors.js";
import { fieldParsers } from "./field-parsers.js";
import { compileTemplate, isTemplate, TemplateError } from "./template.js";
import type { directSchema, kvSchema, objectsSchema, payloadSchema } from "./workload-schema.js";

/** Largest KV key space and object count: beyond this a typo, not a load. */
const MAX_KEYS = 10_000_000;
const MAX_RATE = 10_000_000;

function parsers(file: string) {
  const { fail, ms, bytes } = fieldParsers(file);
  const range = (v: string | number | { min: string | number; max: string | number }, path: string) => {
    const r = typeof v === "object" ? v : { min: v, max: v };
    const out = { min: bytes(r.min, path), max: bytes(r.max, path) };
    if (out.max < out.min) fail(path, "max is below min");
    return out;
  };
  const rate = (v: number | "max", path: string) => {
    if (v !== "max" && v > MAX_RATE) fail(path, `${v}/s is beyond what one host can generate`);
    return v;
  };
  const mix = <K extends string>(m: Record<K, number>, path: string): Record<K, number> => {
    const total = Object.values<number>(m).reduce((a, b) => a + b, 0);
    if (Math.abs(total - 100) > 1e-9)
      fail(
        path,
        `the percentages add up to ${total}, not 100 (${Object.entries(m)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`,
      );
    return m;
  };
  return { fail, ms, bytes, range, rate, mix };
}

export function resolveKv(input: z.output<typeof kvSchema>, file: string): KvSpec {
  const { fail, ms, bytes, range, rate, mix } = parsers(file);
  const b = input.bucket;
  if (input.keys.count < 1 || input.keys.count > MAX_KEYS)
    fail("kv.keys.count", `${input.keys.count} keys: give from 1 to ${MAX_KEYS}`);
  const valueBytes = range(input.valueSize, "kv.valueSize");
  if (valueBytes.min < PAYLOAD_HEADER_BYTES)
    fail(
      "kv.valueSize",
      `${valueBytes.min} bytes is too small; values carry their ${PAYLOAD_HEADER_BYTES}-byte write time for watch latency`,
    );
  const maxValueBytes =
    b.maxValueSize === undefined ? undefined : bytes(b.maxValueSize, "kv.bucket.maxValueSize");
  if (maxValueBytes !== undefined && valueBytes.max > maxValueBytes)
    fail("kv.valueSize", `${valueBytes.max} bytes is above the bucket's maxValueSize of ${maxValueBytes}`);
  if (input.clients.length === 0 && !input.watchers) fail("kv.clients", "add at least one client");
  return {
    bucket: {
      name: b.name,
      history: b.history,
      storage: b.storage,
      replicas: b.replicas,
      ...(b.ttl !== undefined && { ttlMs: ms(b.ttl, "kv.bucket.ttl") }),
      ...(maxValueBytes !== undefined && { maxValueBytes }),
      deleteAfter: b.deleteAfter,
    },
    keys: { ...input.keys },
    valueBytes,
    clients: input.clients.map((c, i) => ({
      name: c.name ?? `kv-client-${i}`,
      count: c.count,
      ratePerSec: rate(c.rate, `kv.clients[${i}].rate`),
      maxInFlight: c.maxInFlight,
      mix: mix(c.mix, `kv.clients[${i}].mix`),
      timeoutMs: ms(c.timeout, `kv.clients[${i}].timeout`),
    })),
    ...(input.watchers && { watchers: input.watchers }),
  };
}

export function resolveObjects(input: z.output<typeof objectsSchema>, file: string): ObjectsSpec {
  const { fail, bytes, range, rate, mix, ms } = parsers(file);
  const sizeBytes = range(input.size, "objects.size");
  if (sizeBytes.min < 1) fail("objects.size", "objects of 0 bytes have nothing to measure");
  if (sizeBytes.max > 1024 ** 3) fail("objects.size", "objects above 1 GiB would not fit this host's memory");
  const chunkBytes = bytes(input.chunkSize, "objects.chunkSize");
  if (chunkBytes < 1024 || chunkBytes > 8 * 1024 * 1024)
    fail("objects.chunkSize", `${chunkBytes} bytes: give from 1KiB to 8MiB`);
  return {
    bucket: { ...input.bucket },
    sizeBytes,
    chunkBytes,
    objects: input.objects,
    clients: input.clients.map((c, i) => ({
      name: c.name ?? `objects-client-${i}`,
      count: c.count,
      ratePerSec: rate(c.rate, `objects.clients[${i}].rate`),
      maxInFlight: c.maxInFlight,
      mix: mix(c.mix, `objects.clients[${i}].mix`),
      timeoutMs: ms(c.timeout, `objects.clients[${i}].timeout`),
    })),
  };
}

export function resolveDirect(
  input: z.output<typeof directSchema>,
  stream: { subjects: string[] } | undefined,
  file: string,
): DirectSpec {
  const { fail, bytes, rate, ms } = parsers(file);
  if (!stream) fail("direct", "direct gets read a stream: add a stream section");
  const preload = input.preload && {
    messages: input.preload.messages,
    subject: input.preload.subject,
    spread: input.preload.spread,
    sizeBytes: bytes(input.preload.size, "direct.preload.size"),
  };
  return {
    ...(preload && { preload }),
    clients: input.clients.map((c, i) => {
      if (c.by === "subject" && !c.subject)
        fail(`direct.clients[${i}].subject`, "a get by subject needs the subject to read");
      return {
        name: c.name ?? `direct-client-${i}`,
        count: c.count,
        ratePerSec: rate(c.rate, `direct.clients[${i}].rate`),
        maxInFlight: c.maxInFlight,
        by: c.by,
        ...(c.subject !== undefined && { subject: c.subject }),
        spread: c.spread,
        timeoutMs: ms(c.timeout, `direct.clients[${i}].timeout`),
      };
    }),
  };
}

/** A payload's files must exist now, not fail in a worker thread mid-run; a template must compile. */
export function resolvePayload(input: z.output<typeof payloadSchema>, at: string, file: string): PayloadSpec {
  const fail = (path: string, message: string): never => {
    throw new UsageError(`${file}: ${at}.payload.${path}: ${message}`);
  };
  const local = (p: string) => resolve(dirname(file), p);
  if ("template" in input) {
    try {
      compileTemplate(input.template);
    } catch (err) {
      if (err instanceof TemplateError) fail("template", err.message);
      throw err;
    }
    return { kind: "template", text: input.template };
  }
  if ("file" in input) {
    const path = local(input.file);
    const s = statOrNull(path);
    if (!s) fail("file", `${input.file} does not exist`);
    if (!s!.isFile()) fail("file", `${input.file} is not a file`);
    return { kind: "file", path };
  }
  const path = local(input.dir);
  const s = statOrNull(path);
  if (!s) fail("dir", `${input.dir} does not exist`);
  if (!s!.isDirectory()) fail("dir", `${input.dir} is not a directory`);
  if (!readdirSync(path, { withFileTypes: true }).some((e) => e.isFile()))
    fail("dir", `${input.dir} holds no files to send`);
  return { kind: "dir", path };
}

/** Header values that are templates must compile too. */
export function checkHeaderTemplates(
  headers: Record<string, string> | undefined,
  at: string,
  file: string,
): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!isTemplate(value)) continue;
    try {
      compileTemplate(value);
    } catch (err) {
      if (err instanceof TemplateError)
        throw new UsageError(`${file}: ${at}.headers.${name}: ${err.message}`);
      throw err;
    }
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
