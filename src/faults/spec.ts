/**
 * A profile's fault timeline, resolved: units converted, defaults filled, and every combination of kind
 * and target that cannot work refused with the fault named. What needs the target itself (is it
 * embedded, how many nodes) is checked by checkFaultsFit before anything runs.
 */
import type { FaultCommands, FaultSpec, FaultTarget, NetworkEffect } from "../contract/faults.js";
import type { FaultInput } from "../profile/fault-schema.js";
import { counted } from "../util/plural.js";

/** The parsers resolve.ts uses, so errors name the file and key path alike. */
export interface FieldParsers {
  fail(path: string, message: string): never;
  ms(value: string | number, path: string): number;
  bytes(value: string | number, path: string): number;
}

const LEADER_OF = { stream: "streamLeader", consumer: "consumerLeader", meta: "metaLeader" } as const;

export function resolveFaults(
  input: FaultInput[],
  p: FieldParsers,
  load: { durationMs: number; hasStream: boolean; replicas: number; hasDurable: boolean },
): FaultSpec[] {
  const names = new Set<string>();
  return input.map((f, i) => {
    const at = `faults[${i}]`;
    const name = f.name ?? `${f.kind}-${i + 1}`;
    if (names.has(name)) p.fail(`${at}.name`, `${name} is used twice; give each fault its own name`);
    names.add(name);
    const atMs = p.ms(f.at, `${at}.at`);
    const forMs = f.for === undefined ? 0 : p.ms(f.for, `${at}.for`);
    if (atMs >= load.durationMs)
      p.fail(`${at}.at`, "starts after the measured phase ends; make it earlier or the duration longer");
    if (
      (f.kind === "pause" || f.kind === "network" || f.kind === "kill" || f.kind === "lameDuck") &&
      forMs <= 0
    )
      p.fail(`${at}.for`, `a ${f.kind} fault needs a duration: how long it lasts`);
    if (f.kind === "stepdown" && forMs > 0) p.fail(`${at}.for`, "a stepdown is an instant; leave out for");
    const network = networkEffect(f, at, p);
    if (f.kind !== "network" && network)
      p.fail(
        at,
        `delay, jitter, loss, bandwidth, blackhole and reset belong to network faults, not ${f.kind}`,
      );
    if (f.kind === "network" && !network)
      p.fail(at, "a network fault needs an effect: delay, jitter, loss, bandwidth, blackhole or reset");
    if (f.of && f.kind !== "stepdown") p.fail(`${at}.of`, "only a stepdown says whose leader");
    const of = f.kind === "stepdown" ? (f.of ?? "stream") : undefined;
    const target: FaultTarget =
      f.target ?? (f.kind === "network" ? "clients" : of ? LEADER_OF[of] : "random");
    if (target === "clients" && f.kind !== "network")
      p.fail(`${at}.target`, `clients is a target for network faults; a ${f.kind} acts on a node`);
    if (f.kind === "stepdown" && target !== LEADER_OF[of!])
      p.fail(
        `${at}.target`,
        `a stepdown acts on the ${of} leader; leave out target or use ${LEADER_OF[of!]}`,
      );
    const needsStream =
      target === "streamLeader" || target === "consumerLeader" || of === "stream" || of === "consumer";
    if (needsStream && !load.hasStream) p.fail(`${at}.target`, `${target} needs a stream in the profile`);
    if ((target === "consumerLeader" || of === "consumer") && !load.hasDurable)
      p.fail(`${at}.target`, "consumerLeader needs a pull or push consumer (a durable) in the profile");
    if (f.kind === "stepdown" && of !== "meta" && load.replicas < 2)
      p.fail(
        `${at}.of`,
        `a ${of} leader steps down only to another replica; give the stream replicas of 2 or more`,
      );
    return {
      name,
      kind: f.kind,
      target,
      atMs,
      forMs,
      ...(of && { of }),
      ...(network && { network }),
      ...(f.command && { command: f.command }),
    };
  });
}

function networkEffect(f: FaultInput, at: string, p: FieldParsers): NetworkEffect | undefined {
  const effect: NetworkEffect = {};
  if (f.delay !== undefined) effect.delayMs = p.ms(f.delay, `${at}.delay`);
  if (f.jitter !== undefined) effect.jitterMs = p.ms(f.jitter, `${at}.jitter`);
  if (f.loss !== undefined) {
    effect.loss = typeof f.loss === "number" ? f.loss : Number(f.loss.slice(0, -1)) / 100;
    if (effect.loss > 1) p.fail(`${at}.loss`, "a loss is at most 100%");
  }
  if (f.bandwidth !== undefined) {
    effect.bandwidthBytesPerSec = p.bytes(f.bandwidth, `${at}.bandwidth`);
    if (effect.bandwidthBytesPerSec <= 0) p.fail(`${at}.bandwidth`, "must be above zero");
  }
  if (f.blackhole) effect.blackhole = true;
  if (f.reset) effect.reset = true;
  return Object.keys(effect).length > 0 ? effect : undefined;
}

/** What a run's target allows: benchline's own servers take every fault, named ones only some. */
export interface TargetShape {
  embedded: boolean;
  nodes: number;
}

/** Refuses, before anything runs, a fault the target cannot take. Returns the reason, or undefined. */
export function faultMisfit(f: FaultSpec, t: TargetShape): string | undefined {
  if (typeof f.target === "number" && f.target > t.nodes)
    return `node ${f.target} does not exist: the target has ${counted(t.nodes, "node")}`;
  if (f.kind === "network" || f.kind === "stepdown" || t.embedded) return undefined;
  const needed: Record<string, Array<keyof FaultCommands>> = {
    kill: ["kill", "start"],
    restart: ["stop", "start"],
    pause: ["pause", "resume"],
    lameDuck: ["lameDuck", "start"],
  };
  const missing = (needed[f.kind] ?? []).filter((k) => !f.command?.[k]);
  if (missing.length === 0) return undefined;
  return `a ${f.kind} on servers benchline did not start needs command.${missing.join(" and command.")} (benchline never guesses a pid); add them, or run on an embedded server`;
}
