/**
 * The state `benchline server start` leaves under the artifacts dir so that status and stop (run later,
 * from other processes) find the server: a plain pid file for scripts, and state.json with the ports.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { RuntimeFailure } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readTextIfExists } from "../util/files.js";

const nodeSchema = z.object({
  pid: z.number().int().positive(),
  clientUrl: z.string(),
  monitorUrl: z.string(),
  clusterUrl: z.string().optional(),
  logFile: z.string(),
  storeDir: z.string(),
  runDir: z.string(),
  storeIsTemp: z.boolean(),
});
const stateSchema = z.object({
  schema: z.literal("benchline/server-state@1"),
  startedAt: z.string(),
  nodes: z.array(nodeSchema).min(1),
});

/** One node of a server benchline started in the background. */
export type ServerNodeState = z.infer<typeof nodeSchema>;
/** What `server start` wrote. */
export type ServerState = z.infer<typeof stateSchema>;

export type StateRead =
  | { kind: "none" }
  | { kind: "corrupt"; file: string; reason: string }
  | { kind: "ok"; state: ServerState };

export function serverStateDir(artifactsDir: string): string {
  return join(artifactsDir, "server");
}
export const pidFilePath = (artifactsDir: string) => join(serverStateDir(artifactsDir), "nats-server.pid");
const stateFilePath = (artifactsDir: string) => join(serverStateDir(artifactsDir), "state.json");

export async function readServerState(artifactsDir: string): Promise<StateRead> {
  const pidFile = pidFilePath(artifactsDir);
  const pidText = await readTextIfExists(pidFile);
  const stateText = await readTextIfExists(stateFilePath(artifactsDir));
  if (pidText === undefined && stateText === undefined) return { kind: "none" };
  if (pidText === undefined || !/^\s*(\d+\s*)+$/.test(pidText)) {
    return { kind: "corrupt", file: pidFile, reason: "it does not hold process ids" };
  }
  if (stateText === undefined)
    return { kind: "corrupt", file: stateFilePath(artifactsDir), reason: "it is missing" };
  let parsed: ServerState;
  try {
    parsed = stateSchema.parse(JSON.parse(stateText));
  } catch {
    return {
      kind: "corrupt",
      file: stateFilePath(artifactsDir),
      reason: "it is not a benchline server state",
    };
  }
  const pids = pidText.trim().split(/\s+/).map(Number);
  if (pids.join(" ") !== parsed.nodes.map((n) => n.pid).join(" ")) {
    return { kind: "corrupt", file: pidFile, reason: "its pids do not match state.json" };
  }
  return { kind: "ok", state: parsed };
}

export async function writeServerState(artifactsDir: string, state: ServerState): Promise<void> {
  await writeFileAtomic(stateFilePath(artifactsDir), `${JSON.stringify(state, null, 2)}\n`);
  await writeFileAtomic(pidFilePath(artifactsDir), `${state.nodes.map((n) => n.pid).join("\n")}\n`);
}

export async function removeServerState(artifactsDir: string): Promise<void> {
  await rm(pidFilePath(artifactsDir), { force: true });
  await rm(stateFilePath(artifactsDir), { force: true });
}

/** The error for a pid file or state.json that cannot be trusted. */
export function corruptStateError(read: { file: string; reason: string }): RuntimeFailure {
  return new RuntimeFailure(
    `${read.file} is corrupted (${read.reason}); stop any nats-server it started (pgrep -a nats-server), delete ${read.file} and try again`,
  );
}
