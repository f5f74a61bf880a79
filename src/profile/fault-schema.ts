/**
 * The `faults:` timeline of a profile (docs/architecture.md, "Faults"). Times count from the start of
 * the measured phase. Resolved into FaultSpec by src/faults/spec.ts.
 */
import { z } from "zod";
import { FAULT_KINDS, LEADER_TARGETS } from "../contract/faults.js";
import { durationInput as duration } from "./field-parsers.js";

export const faultSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    target: z
      .union([z.number().int().min(1), z.enum([...LEADER_TARGETS, "random", "clients"])])
      .optional()
      .describe(
        "a node number (1-based), the current stream, consumer or meta leader (resolved when the fault fires), random, or clients (every client link; network only)",
      ),
    at: duration.describe("when the fault starts, from the start of the measured phase"),
    for: duration
      .optional()
      .describe(
        "kill, lameDuck: down time before the node starts again on its own store; pause, network: how long; restart: down time between stop and start (default 0)",
      ),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, - and _")
      .optional()
      .describe('names the fault in results and thresholds (default "<kind>-<n>")'),
    of: z
      .enum(["stream", "consumer", "meta"])
      .optional()
      .describe("stepdown: whose leader steps down (default: stream)"),
    delay: duration.optional().describe("network: added one-way delay, each direction"),
    jitter: duration.optional().describe("network: random extra delay, up to this, each direction"),
    loss: z
      .union([z.string().regex(/^\d+(\.\d+)?%$/, 'a percentage such as "1%"'), z.number().min(0).max(1)])
      .optional()
      .describe(
        "network: share of segments lost; on TCP a loss is a retransmission that holds the stream for 200 ms",
      ),
    bandwidth: z
      .union([z.string(), z.number().int().positive()])
      .optional()
      .describe('network: bytes per second each direction, e.g. "1MiB"'),
    blackhole: z
      .boolean()
      .optional()
      .describe("network: nothing passes either way; connections stay open and resume afterwards"),
    reset: z
      .boolean()
      .optional()
      .describe("network: every connection is reset at the start, and new ones are refused while it lasts"),
    command: z
      .strictObject({
        kill: z.string().optional(),
        start: z.string().optional(),
        stop: z.string().optional(),
        pause: z.string().optional(),
        resume: z.string().optional(),
        lameDuck: z.string().optional(),
      })
      .optional()
      .describe(
        "named servers: shell commands that act on node {node} (1-based) at {url}; process faults on named servers run only through these",
      ),
  })
  .describe("one fault on the run's clock");

export type FaultInput = z.infer<typeof faultSchema>;
