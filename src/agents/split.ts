/**
 * A plan split across agents, as k6 splits a test into execution segments (lib/execution_segment.go):
 * pure integer arithmetic, so the shares always add up to the whole. Each profile entry (a publisher,
 * consumer, responder, operation client or watcher group) is apportioned on its own: an agent of weight
 * w out of W runs floor(w*c/W) or ceil(w*c/W) of the entry's c instances, never part of one. Ids, slots
 * and rates stay those of the plan (rates are per instance already), so loss accounting, counters and
 * schedules mean the same wherever an instance runs.
 */
import type { PlanThread } from "../engine/executor.js";
import type { Plan } from "../engine/plan.js";
import type { ClientTask } from "../engine/protocol.js";

/** One agent's part of a plan. */
export interface AgentShare {
  /** Index of the agent in the list the weights came in. */
  agent: number;
  /** The agent's weight over the sum of the weights: the part of each entry it is meant to run. */
  fraction: number;
  clients: ClientTask[];
  /** Its clients in its own worker threads, numbered run-wide (snapshots are keyed by thread). */
  threads: PlanThread[];
}

/** The instances of one profile entry share its spec object; plan order is kept. */
function entryOf(task: ClientTask): object {
  if (task.role === "op") return task.op;
  if (task.role === "watcher") return task.kv;
  return task.spec;
}

/**
 * Hamilton's method: count items over weights, each part floor(w*count/W) and the rest one each to the
 * largest remainders. Equal remainders go to the agent furthest behind its share so far (`behind`,
 * larger first), then to the lower index: an entry of one instance lands on a different agent each time
 * instead of always on the same one.
 */
export function apportion(count: number, weights: number[], behind: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((w * count) / total));
  let rest = count - parts.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => ({ i, remainder: (w * count) % total, behind: behind[i] ?? 0 }))
    .sort((a, b) => b.remainder - a.remainder || b.behind - a.behind || a.i - b.i);
  for (const o of order) {
    if (rest === 0) break;
    if (o.remainder === 0) continue;
    parts[o.i]!++;
    rest--;
  }
  return parts;
}

/**
 * Splits the plan's clients over agents of the given weights (positive whole numbers: CPUs, or 1 each).
 * `threadsFor(agent, clients)` says how many worker threads an agent runs its clients on; an agent left
 * without clients gets no thread. Tasks are copied: the plan is not changed.
 */
export function splitPlan(
  plan: Plan,
  weights: number[],
  threadsFor: (agent: number, clients: ClientTask[]) => number,
  connectionsPerWorker: number,
): AgentShare[] {
  if (weights.length === 0 || weights.some((w) => !Number.isInteger(w) || w <= 0))
    throw new TypeError(`weights must be positive whole numbers, not [${weights.join(", ")}]`);
  const total = weights.reduce((a, b) => a + b, 0);
  const entries = new Map<object, ClientTask[]>();
  for (const task of plan.clients) {
    const key = entryOf(task);
    const list = entries.get(key) ?? [];
    list.push(task);
    entries.set(key, list);
  }
  const assigned: ClientTask[][] = weights.map(() => []);
  let placed = 0;
  for (const instances of entries.values()) {
    // How far each agent is behind its share of everything placed so far, in units of 1/total.
    const behind = weights.map((w, i) => w * placed - total * assigned[i]!.length);
    const parts = apportion(instances.length, weights, behind);
    let next = 0;
    parts.forEach((n, agent) => {
      for (const task of instances.slice(next, next + n)) assigned[agent]!.push({ ...task });
      next += n;
    });
    placed += instances.length;
  }
  let thread = 0;
  return assigned.map((clients, agent) => {
    // Plan order within a share, as buildPlan has it: receivers before publishers on every thread.
    clients.sort((a, b) => a.slot - b.slot);
    const count =
      clients.length === 0 ? 0 : Math.max(1, Math.min(threadsFor(agent, clients), clients.length));
    const threads: PlanThread[] = Array.from({ length: count }, () => ({ thread: thread++, clients: [] }));
    clients.forEach((task, i) => {
      const t = threads[i % count]!;
      task.connection = t.clients.length % connectionsPerWorker;
      t.clients.push(task);
    });
    return { agent, fraction: weights[agent]! / total, clients, threads };
  });
}
