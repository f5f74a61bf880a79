/** Where a run ran: host, versions, threads, data path, agents, server config (RunResult.env). */
import type { DataPath } from "./data-path.js";
import type { ServerConfigRecord } from "./server-config.js";

/** What the run ran on and with: every figure of a result is read against it. */
export interface RunEnv {
  host: string;
  cpus: number;
  node: string;
  benchline: string;
  client: string;
  serverVersion?: string;
  clusterSize: number;
  embeddedServer: boolean;
  gitSha?: string;
  /** Worker threads that ran the load, and why that many (absent in results before threads were sized). */
  workerThreads?: number;
  workerThreadsReason?: string;
  /**
   * How every client of the run (control connection and worker threads alike) reached the servers:
   * a run never mixes them. Absent in results written before websocket clients.
   */
  transport?: "tcp" | "websocket";
  /** Which data path the load took (benchline's frames and parser, or nats.js's own); absent before it was recorded. */
  dataPath?: DataPath;
  /** The agents that ran the load (--agents); host and cpus above are then the coordinator's. */
  agents?: AgentEnv[];
  /** The nats-server.conf the embedded server ran from (--server-config, config=): paths and hashes only. */
  serverConfig?: ServerConfigRecord;
}

/** One agent of a run as env.agents reports it (name, host, cpus, share, clock). */
export interface AgentEnv {
  name: string;
  host: string;
  cpus: number;
  /** The agent's weight over all the agents' weights: its part of every entry of the profile. */
  share: number;
  clients: number;
  threads: number;
  /** What its publishers and operation clients were set to send, msgs/s (open loop). */
  ratePerSec: number;
  clockOffsetUs: number;
  clockErrorUs: number;
  /** "shared": on the coordinator's kernel, one monotonic clock; "measured": over the control connection. */
  clock: "shared" | "measured";
  /** The agent process's CPU over the measured phase, percent of one core. */
  cpuPercent?: number;
}
