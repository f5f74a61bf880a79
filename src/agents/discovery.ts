/**
 * Finding agents: every agent is an instance of the micro service benchline-agent, so $SRV.INFO names
 * them with what they run on (metadata: host, CPUs, version, tag, control prefix) and $SRV.STATS says
 * whether each is busy (the stats handler's data: metadata is fixed when a service starts). Picking is
 * pure: idle agents of the tag and of this benchline version, sorted by name.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { collectServiceReplies } from "../engine/services.js";
import { RuntimeFailure, UsageError } from "../errors.js";
import { counted } from "../util/plural.js";
import { AGENT_SERVICE } from "./wire.js";

/** What an agent says it is when it starts; the metadata of its $SRV.INFO. */
export interface AgentMetadata {
  agent: string;
  host: string;
  cpus: string;
  benchline: string;
  node: string;
  tag: string;
  prefix: string;
  /** The kernel's boot id: equal on agents that share the coordinator's monotonic clock. */
  boot: string;
}

/** What an agent is doing; the data of its $SRV.STATS endpoints. */
export interface AgentStatus {
  busy: boolean;
  draining: boolean;
  run?: string;
  coordinator?: string;
  since?: string;
}

/** One agent as discovery finds it. */
export interface AgentInfo {
  id: string;
  name: string;
  host: string;
  cpus: number;
  version: string;
  node: string;
  tag?: string;
  prefix: string;
  boot: string;
  /** Unknown when its STATS answer did not come in time. */
  status?: AgentStatus;
}

interface InfoWire {
  id: string;
  version: string;
  metadata?: Partial<AgentMetadata>;
}

interface StatsWire {
  id: string;
  endpoints?: Array<{ data?: AgentStatus | null }>;
}

/** Every agent answering on the control server, whatever its prefix, sorted by name. */
export async function listAgents(nc: NatsConnection): Promise<AgentInfo[]> {
  const [infos, stats] = await Promise.all([
    collectServiceReplies<InfoWire>(nc, `$SRV.INFO.${AGENT_SERVICE}`),
    collectServiceReplies<StatsWire>(nc, `$SRV.STATS.${AGENT_SERVICE}`),
  ]);
  const statusOf = new Map(stats.map((s) => [s.id, s.endpoints?.find((e) => e.data)?.data ?? undefined]));
  return infos
    .filter((i) => i.metadata?.agent)
    .map((i) => {
      const m = i.metadata!;
      const status = statusOf.get(i.id);
      return {
        id: i.id,
        name: m.agent!,
        host: m.host ?? "?",
        cpus: Math.max(1, Number(m.cpus) || 1),
        version: i.version,
        node: m.node ?? "?",
        ...(m.tag && { tag: m.tag }),
        prefix: m.prefix ?? "",
        boot: m.boot ?? "",
        ...(status && { status }),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** What a run asks for: how many agents, of which tag, on which control prefix. */
export interface AgentWanted {
  count: number | "all";
  tag?: string;
  prefix: string;
  version: string;
}

/** The agents a run takes; a one-line error naming what was found when there are not enough. */
export function pickAgents(found: AgentInfo[], want: AgentWanted, controlUrl: string): AgentInfo[] {
  const reachable = found.filter((a) => a.prefix === want.prefix && (!want.tag || a.tag === want.tag));
  const tagged = want.tag ? ` tagged ${want.tag}` : "";
  if (reachable.length === 0)
    throw new RuntimeFailure(
      `no agent${tagged} answers on ${controlUrl} (prefix ${want.prefix}); start one with benchline agent --control ${controlUrl}${want.tag ? ` --tag ${want.tag}` : ""}`,
    );
  const idle = reachable.filter(
    (a) => a.version === want.version && a.status && !a.status.busy && !a.status.draining,
  );
  const need = want.count === "all" ? Math.max(1, idle.length) : want.count;
  if (idle.length >= need) return idle.slice(0, need);
  const why = [
    ...reachable
      .filter((a) => a.status?.busy)
      .map(
        (a) =>
          `${a.name} is busy with run ${a.status!.run} from ${a.status!.coordinator} since ${a.status!.since}`,
      ),
    ...reachable.filter((a) => a.status?.draining).map((a) => `${a.name} is shutting down`),
    ...reachable.filter((a) => !a.status).map((a) => `${a.name} did not say whether it is busy`),
    ...reachable
      .filter((a) => a.version !== want.version)
      .map((a) => `${a.name} runs benchline ${a.version}, not ${want.version}`),
  ];
  const asked = want.count === "all" ? `every agent${tagged}` : `${counted(need, "agent")}${tagged}`;
  throw new RuntimeFailure(
    `asked for ${asked}, ${idle.length} of the ${reachable.length} found can take a run: ${why.length ? why.join("; ") : "there are no more"}`,
  );
}

/** `--agents 3` or `--agents all`; a one-line error for anything else. */
export function parseAgentCount(value: string | number): number | "all" {
  if (value === "all") return "all";
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--agents ${value}: give a number of agents (1 or more) or "all"`);
  return n;
}
