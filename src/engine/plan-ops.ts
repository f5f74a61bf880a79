/** The plan's operation clients (KV, Object Store, direct get) and KV watchers, one task per instance. */
import type { Profile } from "../contract/profile.js";
import type { OpTask } from "../contract/workloads.js";
import type { ClientTask } from "./protocol.js";

/** Every op client instance; rates split evenly across an entry's clients, schedules interleaved. */
export function opTasks(profile: Profile): ClientTask[] {
  const entries: OpTask[] = [
    ...(profile.kv?.clients ?? []).map((client) => ({ workload: "kv" as const, kv: profile.kv!, client })),
    ...(profile.objects?.clients ?? []).map((client) => ({
      workload: "objects" as const,
      objects: profile.objects!,
      client,
    })),
    ...(profile.direct?.clients ?? []).map((client) => ({
      workload: "direct" as const,
      direct: profile.direct!,
      client,
      stream: profile.stream?.name ?? "",
    })),
  ];
  const tasks: ClientTask[] = [];
  for (const op of entries) {
    const { count, ratePerSec } = op.client;
    for (let k = 0; k < count; k++) {
      tasks.push({
        role: "op",
        id: tasks.length,
        slot: -1,
        op,
        ratePerSec: ratePerSec === "max" ? "max" : ratePerSec / count,
        offsetNs: ratePerSec === "max" ? 0 : Math.round((k * 1e9) / ratePerSec),
        connection: 0,
      });
    }
  }
  return tasks;
}

export function watcherTasks(profile: Profile): ClientTask[] {
  const kv = profile.kv;
  if (!kv?.watchers) return [];
  return Array.from({ length: kv.watchers.count }, (_, id) => ({
    role: "watcher" as const,
    id,
    slot: -1,
    kv,
    connection: 0,
  }));
}
