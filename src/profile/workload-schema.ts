/**
 * The profile keys of the workloads beyond streams (docs/architecture.md, "Workloads beyond streams"): `kv:`,
 * `objects:`, `direct:`, and what a publisher may say about its payload (`payload:`, `timing:`) and the
 * micro service it drives (`service:`). Human forms are kept here and converted in resolve-workloads.ts.
 */
import { z } from "zod";
import { durationInput as duration, sizeInput as size } from "./field-parsers.js";

const sizeOrRange = z
  .union([size, z.strictObject({ min: size, max: size })])
  .describe("a fixed size or a uniform range { min, max }");
const rate = z
  .union([z.number().positive(), z.literal("max")])
  .default("max")
  .describe('operations per second across this entry\'s clients, or "max" (closed loop)');
const clientCount = z.number().int().positive().default(1).describe("clients of this kind");
const percent = z.number().min(0).max(100);
const storage = z.enum(["file", "memory"]).default("file");
const replicas = z.number().int().min(1).max(5).default(1);

export const kvSchema = z
  .strictObject({
    bucket: z
      .strictObject({
        name: z.string().regex(/^[A-Za-z0-9_-]+$/, "a bucket name has letters, digits, - and _"),
        history: z.number().int().min(1).max(64).default(1),
        storage,
        replicas,
        ttl: duration.optional().describe("how long a value lives; none: for ever"),
        maxValueSize: size.optional().describe("largest value the bucket takes"),
        deleteAfter: z
          .boolean()
          .default(true)
          .describe("delete the bucket after the run, when benchline made it"),
      })
      .describe("the bucket to create, or open when it exists"),
    keys: z
      .strictObject({
        count: z.number().int().describe("how many distinct keys (k.0 .. k.N-1)"),
        distribution: z.enum(["uniform", "zipf"]).default("uniform"),
        zipfExponent: z
          .number()
          .positive()
          .default(1.1)
          .describe("zipf only: s, the skew (higher: hotter keys)"),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_=/-]+$/, "letters, digits and - _ = /")
          .default("k"),
        preload: z.boolean().default(true).describe("put every key once before the run, so gets find values"),
      })
      .describe("the key space"),
    valueSize: sizeOrRange.default(128).describe("size of each value written"),
    clients: z
      .array(
        z.strictObject({
          name: z.string().optional(),
          count: clientCount,
          rate,
          maxInFlight: z.number().int().positive().default(64).describe("operations outstanding per client"),
          mix: z
            .strictObject({
              get: percent.default(0),
              put: percent.default(0),
              update: percent.default(0).describe("compare-and-set on the revision a get just read"),
              delete: percent.default(0),
            })
            .describe("percent of each operation; they add up to 100"),
          timeout: duration.default("5s"),
        }),
      )
      .default([]),
    watchers: z
      .strictObject({
        count: clientCount,
        keys: z.string().default(">").describe("the keys to watch (wildcards allowed)"),
      })
      .optional()
      .describe("watchers that measure put-to-watch latency"),
  })
  .describe("a Key-Value load: bucket, key space, clients with a mix of get, put, update and delete");

export const objectsSchema = z
  .strictObject({
    bucket: z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9_-]+$/, "a bucket name has letters, digits, - and _"),
      storage,
      replicas,
      deleteAfter: z.boolean().default(true),
    }),
    size: sizeOrRange.default("256KiB").describe("object size, fixed or a range"),
    chunkSize: size.default("128KiB").describe("the chunk size objects are stored in"),
    objects: z.number().int().min(1).max(100_000).default(16).describe("distinct object names, preloaded"),
    clients: z
      .array(
        z.strictObject({
          name: z.string().optional(),
          count: clientCount,
          rate,
          maxInFlight: z.number().int().positive().default(4),
          mix: z.strictObject({ put: percent.default(0), get: percent.default(0) }),
          timeout: duration.default("30s"),
        }),
      )
      .min(1),
  })
  .describe("an Object Store load: put and get of objects, checksums verified on get");

export const directSchema = z
  .strictObject({
    preload: z
      .strictObject({
        messages: z.number().int().positive().max(10_000_000),
        subject: z.string().min(1),
        spread: z.number().int().min(1).max(100_000).default(1).describe("over SUBJECT.0 .. SUBJECT.(N-1)"),
        size: size.default(128),
      })
      .optional()
      .describe("messages put into the stream before the run for the getters to read"),
    clients: z
      .array(
        z.strictObject({
          name: z.string().optional(),
          count: clientCount,
          rate,
          maxInFlight: z.number().int().positive().default(64),
          by: z
            .enum(["sequence", "subject"])
            .default("sequence")
            .describe("a random sequence, or the last message of a random subject"),
          subject: z.string().optional().describe("by subject: SUBJECT or, with spread, SUBJECT.0 .."),
          spread: z.number().int().min(1).max(100_000).default(1),
          timeout: duration.default("5s"),
        }),
      )
      .min(1),
  })
  .describe("direct gets on the profile's stream (allow_direct, nats-server 2.9 or later)");

/** What a publisher sends instead of benchline's generated payload. */
export const payloadSchema = z
  .union([
    z.strictObject({ file: z.string().describe("every message is this file's bytes") }),
    z.strictObject({ dir: z.string().describe("the files of this directory, taken in turn") }),
    z.strictObject({
      template: z
        .string()
        .describe(
          "text with per-message fields: {{seq}} {{publisher}} {{unixMs}} {{unixNs}} {{iso}} {{uuid}} {{int:MIN:MAX}} {{choice:a|b|c}} {{hex:N}}",
        ),
    }),
  ])
  .describe("the payload the user's system expects: a file, a directory of samples, or a template");

export const serviceTargetSchema = z
  .strictObject({
    name: z.string().min(1).describe("the micro service's name, as $SRV.INFO lists it"),
    endpoint: z.string().min(1).describe("the endpoint to drive"),
  })
  .describe("drive a NATS micro service's endpoint: its subject is read from $SRV.INFO");
