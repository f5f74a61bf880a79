/**
 * `benchline quick KIND [flags]`: a one-line run in the shape of `nats bench`, without a profile file.
 * The flags become a profile (the same text `--save-profile FILE` writes), which is loaded and run as
 * `benchline run` would run that file: one path, so a saved profile gives the same load.
 */
import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";
import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../errors.js";
import { parseProfileText } from "../profile/loader.js";
import { readFailure } from "../util/files.js";
import { applyConnection, type ConnectionArgs, withConnectionOptions } from "./connection-options.js";
import { type OutputArgs, withOutputOptions } from "./output-options.js";
import { executeRun } from "./run.js";

export const QUICK_KINDS = [
  "pub",
  "pubsub",
  "request",
  "js-pub",
  "js-pubsub",
  "kv",
  "obj",
  "direct-get",
  "service",
] as const;
type QuickKind = (typeof QUICK_KINDS)[number];

export interface QuickArgs extends OutputArgs, ConnectionArgs {
  kind: QuickKind;
  rate: string;
  size: string;
  subject: string;
  clients: number;
  subs: number;
  msgs?: number;
  duration: string;
  warmup: string;
  replicas: number;
  storage: "file" | "memory";
  keys: number;
  zipf: boolean;
  mix?: string;
  watchers: number;
  service?: string;
  endpoint?: string;
  name?: string;
  saveProfile?: string;
  stream: string;
  keep: boolean;
  workers?: number;
  out: string;
  json: boolean;
}

function parseRate(text: string): number | "max" {
  if (text === "max") return "max";
  const n = Number(text);
  if (!(n > 0)) throw new UsageError(`--rate ${text}: give operations per second above 0, or max`);
  return n;
}

/** `get=80,put=20` -> { get: 80, put: 20 }; the profile checks that it adds up to 100. */
export function parseMix(text: string, ops: readonly string[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of text.split(",")) {
    const m = /^\s*([a-z]+)\s*[=:]\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m || !ops.includes(m[1]!))
      throw new UsageError(
        `--mix ${text}: write OP=PERCENT pairs separated by commas, OP one of ${ops.join(", ")}`,
      );
    mix[m[1]!] = Number(m[2]);
  }
  return mix;
}

/** The profile the flags describe, as the plain document a profile file holds. */
export function quickProfile(a: QuickArgs): Record<string, unknown> {
  const rate = parseRate(a.rate);
  const stream = {
    name: a.stream,
    ...(a.keep && { deleteAfter: false, purge: false }),
    subjects: [`${a.subject}.>`, a.subject],
    storage: a.storage,
    replicas: a.replicas,
  };
  const pubs = { count: a.clients, rate, size: a.size, subject: a.subject };
  const load: Record<string, unknown> = (() => {
    switch (a.kind) {
      case "pub":
        return { publishers: [{ ...pubs, mode: "core" }] };
      case "pubsub":
        return {
          publishers: [{ ...pubs, mode: "core" }],
          consumers: [{ kind: "core", subject: a.subject, count: a.subs }],
        };
      case "request":
        return {
          publishers: [{ ...pubs, mode: "request" }],
          responders: [{ subject: a.subject, count: a.subs }],
        };
      case "js-pub":
        return { stream, publishers: [{ ...pubs, mode: "jetstream" }] };
      case "js-pubsub":
        return {
          stream,
          publishers: [{ ...pubs, mode: "jetstream" }],
          consumers: [{ kind: "pull", count: a.subs }],
        };
      case "kv":
        return {
          kv: {
            bucket: { name: "BENCHLINE_QUICK", storage: a.storage, replicas: a.replicas },
            keys: { count: a.keys, distribution: a.zipf ? "zipf" : "uniform" },
            valueSize: a.size,
            clients: [
              {
                count: a.clients,
                rate,
                mix: parseMix(a.mix ?? "get=80,put=20", ["get", "put", "update", "delete"]),
              },
            ],
            ...(a.watchers > 0 && { watchers: { count: a.watchers } }),
          },
        };
      case "obj":
        return {
          objects: {
            bucket: { name: "BENCHLINE_QUICK", storage: a.storage, replicas: a.replicas },
            size: a.size,
            clients: [{ count: a.clients, rate, mix: parseMix(a.mix ?? "put=50,get=50", ["put", "get"]) }],
          },
        };
      case "direct-get":
        return {
          stream: { ...stream, allowDirect: true },
          direct: {
            preload: { messages: a.keys, subject: a.subject, size: a.size },
            clients: [{ count: a.clients, rate, by: "sequence" }],
          },
        };
      case "service":
        if (!a.service || !a.endpoint)
          throw new UsageError("quick service: name the service and endpoint (--service NAME --endpoint E)");
        return {
          publishers: [
            {
              count: a.clients,
              rate,
              mode: "request",
              service: { name: a.service, endpoint: a.endpoint },
              payload: { template: "{}" },
            },
          ],
        };
    }
  })();
  return {
    name: a.name ?? `quick-${a.kind}`,
    ...load,
    warmup: a.warmup,
    duration: a.duration,
    ...(a.msgs !== undefined && { messages: a.msgs }),
    ...(a.workers !== undefined && { workers: a.workers }),
  };
}

async function quick(args: QuickArgs): Promise<void> {
  const text = `# benchline quick ${args.kind}: written by --save-profile; benchline run this file for the same load\n${stringify(quickProfile(args))}`;
  // Errors name the saved file, or the command when no file exists.
  const file = args.saveProfile ?? `quick ${args.kind}`;
  const loaded = applyConnection(parseProfileText(text, file), args);
  if (args.saveProfile) {
    await writeFile(args.saveProfile, text).catch((err) => {
      throw new UsageError(`--save-profile ${args.saveProfile}: ${readFailure(err)}`);
    });
    process.stderr.write(`saved the profile to ${args.saveProfile}\n`);
  }
  await executeRun(loaded, args);
}

export const quickCommand: CommandModule<object, QuickArgs> = {
  command: "quick <kind>",
  describe: "a one-line run without a profile file, as nats bench does (--save-profile keeps the profile)",
  builder: (y: Argv) =>
    withConnectionOptions(withOutputOptions(y, "PNG charts and .hgrm histogram files"))
      .positional("kind", {
        choices: QUICK_KINDS,
        demandOption: true,
        describe:
          "pub: core publish; pubsub: core publish and subscribers; request: request/reply with responders; js-pub: JetStream publish; js-pubsub: with pull consumers; kv: Key-Value mix; obj: Object Store put/get; direct-get: direct gets by sequence; service: requests to a micro service endpoint",
      })
      .option("rate", {
        type: "string",
        default: "max",
        describe: "msgs or operations/s across clients, or max",
      })
      .option("size", {
        type: "string",
        default: "128",
        describe: "message, value or object size, e.g. 1KiB",
      })
      .option("subject", { type: "string", default: "benchline.quick", describe: "subject to publish to" })
      .option("clients", { type: "number", default: 1, describe: "publishers or operation clients" })
      .option("subs", { type: "number", default: 1, describe: "subscribers, consumers or responders" })
      .option("msgs", { type: "number", describe: "end after this many messages instead of --duration" })
      .option("duration", { type: "string", default: "10s", describe: "the measured phase" })
      .option("warmup", { type: "string", default: "1s", describe: "measured, then discarded" })
      .option("replicas", { type: "number", default: 1, describe: "stream or bucket replicas" })
      .option("storage", { choices: ["file", "memory"] as const, default: "file" as const })
      .option("keys", {
        type: "number",
        default: 1000,
        describe: "kv: key count; direct-get: messages preloaded",
      })
      .option("zipf", { type: "boolean", default: false, describe: "kv: zipf key distribution (hot keys)" })
      .option("mix", {
        type: "string",
        describe: "kv: get=80,put=20 (get put update delete); obj: put=50,get=50",
      })
      .option("watchers", {
        type: "number",
        default: 0,
        describe: "kv: watchers measuring put-to-watch latency",
      })
      .option("service", { type: "string", describe: "service: the micro service's name" })
      .option("endpoint", { type: "string", describe: "service: the endpoint to drive" })
      .option("name", { type: "string", describe: "the profile's name (default quick-KIND)" })
      .option("workers", { type: "number", describe: "worker threads" })
      .option("stream", {
        type: "string",
        default: "BENCHLINE_QUICK",
        describe: "js-*, direct-get: the stream",
      })
      .option("keep", {
        type: "boolean",
        default: false,
        describe:
          "js-*: keep the stream and what was published (to drain it later with a consume-only profile)",
      })
      .option("save-profile", { type: "string", describe: "write the profile this run used to FILE" })
      .option("out", { type: "string", default: "artifacts", describe: "artifacts root" })
      .option("json", {
        type: "boolean",
        default: false,
        describe: "print the result JSON instead of the table",
      })
      .example(
        "$0 quick js-pub --rate 5000 --size 1KiB --replicas 3",
        "JetStream publish at 5,000 msgs/s to R3",
      )
      .example("$0 quick kv --rate 2000 --mix get=90,put=10 --keys 10000 --zipf", "a read-mostly KV load")
      .example(
        "$0 quick pubsub --msgs 100000 --save-profile p.yaml",
        "keep the profile for benchline run p.yaml",
      )
      .epilogue("guide: docs/workloads.md") as Argv<QuickArgs>,
  handler: quick,
};
