/** `benchline agents`: one line per agent, what it runs on and whether it can take a run. Pure. */
import type { AgentInfo } from "../agents/discovery.js";

function state(a: AgentInfo): string {
  if (!a.status) return "unknown";
  if (a.status.draining) return "shutting down";
  if (a.status.busy) return `busy: run ${a.status.run} from ${a.status.coordinator} since ${a.status.since}`;
  return "idle";
}

export function renderAgents(agents: AgentInfo[], controlUrl: string): string {
  if (agents.length === 0) return `no agent answers $SRV.INFO.benchline-agent on ${controlUrl}\n`;
  const rows = [
    ["name", "host", "cpus", "tag", "version", "prefix", "state"],
    ...agents.map((a) => [a.name, a.host, String(a.cpus), a.tag ?? "-", a.version, a.prefix, state(a)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n")}\n`;
}
