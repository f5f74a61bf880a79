/** One sentence on the load generator's own footprint, for the table and summary.md. Pure. */
import type { RunResult } from "../contract/result.js";
import { counted } from "../util/plural.js";

export function generatorLine(result: RunResult): string | undefined {
  const threads = result.env.workerThreads;
  if (threads === undefined) return undefined;
  const agents = result.env.agents ?? [];
  const cpu = result.generator
    ? `, ${result.generator.cpuPercent}% of one core${agents.length ? " (the agents' together)" : ""} over the measured phase`
    : "";
  const each = agents.map(
    (a) =>
      `${a.name} on ${a.host} (${a.cpus} CPUs, share ${a.share}, ${a.clients} clients, ${a.ratePerSec} msgs/s, clock ${a.clock === "shared" ? "shared" : `${a.clockOffsetUs >= 0 ? "+" : ""}${a.clockOffsetUs} ±${a.clockErrorUs} us`}${a.cpuPercent !== undefined ? `, ${a.cpuPercent}% CPU` : ""})`,
  );
  return `load generator: ${counted(threads, "worker thread")} (${result.env.workerThreadsReason})${cpu}${each.length ? `; agents: ${each.join(", ")}` : ""}`;
}
