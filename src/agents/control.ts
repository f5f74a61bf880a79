/**
 * The coordinator's side of the control server: the connection (its own credentials, never those of
 * the servers under load), and for each run the agents picked, their clocks measured and the executor
 * that drives them. One control connection serves every run of a command (baseline record, compare and
 * capacity run many); agents are found afresh for each run, so one lost between runs is not used.
 */
import { hostname } from "node:os";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { AuthSpec, Profile, TlsSpec } from "../contract/profile.js";
import { connectFailure, connectOptions } from "../engine/connect-options.js";
import { EVENTS_PER_THREAD, isLoopbackUrl, loadEventsPerSec } from "../engine/threads.js";
import { RuntimeFailure, UsageError } from "../errors.js";
import { bootId } from "../util/boot-id.js";
import { benchlineVersion } from "../version.js";
import { agentClock } from "./clock.js";
import { listAgents, pickAgents } from "./discovery.js";
import { AgentExecutor } from "./executor.js";
import { RemoteAgent } from "./remote.js";

/** How to reach the control server. */
export interface ControlSpec {
  url: string;
  prefix: string;
  auth?: AuthSpec;
  tls?: TlsSpec;
}

/** A connection to the control server; `forever` keeps reconnecting (an agent is a long-running service). */
export async function connectControlServer(
  spec: ControlSpec,
  name: string,
  forever: boolean,
): Promise<NatsConnection> {
  const options = await connectOptions(
    {
      auth: spec.auth,
      tls: spec.tls,
      connection: {
        name: "benchline",
        connectTimeoutMs: 5000,
        reconnectAttempts: forever ? -1 : 10,
        reconnectWaitMs: 500,
        reconnectJitterMs: 100,
      },
    },
    name,
  );
  try {
    return await connect({ ...options, servers: spec.url });
  } catch (err) {
    throw connectFailure(err as Error, [spec.url], spec, "--control");
  }
}

/** How many agents of which tag a command's runs take. */
export interface AgentSelection {
  count: number | "all";
  tag?: string;
}

export class AgentControl {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly spec: ControlSpec,
    private readonly selection: AgentSelection,
  ) {}

  static async open(spec: ControlSpec, selection: AgentSelection): Promise<AgentControl> {
    return new AgentControl(await connectControlServer(spec, "control", false), spec, selection);
  }

  /**
   * The agents for one run, clocks measured, ready to be given the plan. Checks first what agents
   * cannot do: tenants run side by side in one process, network faults act through a proxy on this
   * host, and a server on this host's loopback is not reachable from another host.
   */
  async executorFor(
    profile: Profile,
    servers: string[],
    runId: string,
    file: string,
    load: {
      /** The load's own credentials by reference, when it has an identity of its own (a tenant). */
      authRef?: AuthSpec;
      /** The whole run's id, when it has several loads: they share the agents under it. */
      group?: string;
    } = {},
  ): Promise<AgentExecutor> {
    if (profile.faults?.some((f) => f.kind === "network"))
      throw new UsageError(
        `${file}: network faults act on links through a proxy on this host, which agents on other hosts cannot use; run them without --agents`,
      );
    const picked = pickAgents(
      await listAgents(this.nc),
      {
        count: this.selection.count,
        tag: this.selection.tag,
        prefix: this.spec.prefix,
        version: benchlineVersion,
      },
      this.spec.url,
    );
    const local = servers.every(isLoopbackUrl);
    const here = hostname();
    const far = picked.find((a) => a.host !== here);
    if (local && far)
      throw new UsageError(
        `agent ${far.name} runs on ${far.host}, where ${servers.join(", ")} is not this host's server: name a server the agents can reach with --server`,
      );
    const remotes = picked.map((info) => new RemoteAgent(this.nc, info));
    const boot = bootId();
    const clocks = await Promise.all(
      remotes.map(async (r) => agentClock(await r.clock(), boot !== "" && r.info.boot === boot)),
    ).catch((err: Error) => {
      throw new RuntimeFailure(err.message, { cause: err });
    });
    const events = loadEventsPerSec(profile);
    return new AgentExecutor({
      nc: this.nc,
      controlUrl: this.spec.url,
      prefix: this.spec.prefix,
      runId,
      agents: remotes.map((remote, i) => ({ remote, clock: clocks[i]! })),
      threadsFor: (agent, share) => {
        if (profile.workers !== undefined) return profile.workers;
        // A server on the agents' host (loopback) keeps a core, as a local run leaves it one.
        const cap = Math.max(1, agent.info.cpus - (local ? 1 : 0));
        if (!Number.isFinite(events)) return cap;
        return Math.min(cap, Math.max(1, Math.ceil((events * share) / EVENTS_PER_THREAD)));
      },
      readyTimeoutMs: profile.connection.connectTimeoutMs + 5000,
      ...(load.authRef && { authRef: load.authRef }),
      ...(load.group && { group: load.group }),
    });
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => {});
  }
}
