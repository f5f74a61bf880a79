/**
 * The remote executor: a plan's threads on agents. The plan is split into shares, each agent prepares
 * its share (threads connected, consumers subscribed) and answers when ready; the coordinator then fixes
 * one start instant on its own clock. While the run goes, agents stream counter rows, snapshots and
 * faults to the run's data subject and the coordinator sends a heartbeat each second, whose failure is an
 * agent lost. At the end each agent stops its threads and its results are fetched in parts.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { AgentEnv } from "../contract/env.js";
import type { AuthSpec } from "../contract/profile.js";
import type { Execution, ExecutionEvents, Executor, ThreadSettings } from "../engine/executor.js";
import type { Plan } from "../engine/plan.js";
import {
  type ClientTask,
  COUNTER_FIELDS,
  COUNTER_STRIDE,
  HEADER_FIELDS,
  type ThreadResult,
} from "../engine/protocol.js";
import { oneLine } from "../errors.js";
import { redactUrl } from "../profile/redact.js";
import type { AgentClock } from "./clock.js";
import { watchControl } from "./control-watch.js";
import type { RemoteAgent } from "./remote.js";
import { type AgentShare, splitPlan } from "./split.js";
import { COUNTER_ROWS, dataSubject, decodeRows, HEADER_AGENT, HEADER_KIND } from "./wire.js";

export interface AgentRunSetup {
  nc: NatsConnection;
  controlUrl: string;
  prefix: string;
  runId: string;
  agents: Array<{ remote: RemoteAgent; clock: AgentClock }>;
  /** Worker threads an agent runs its clients on, given the part of the plan's clients they are. */
  threadsFor(agent: RemoteAgent, share: number): number;
  readyTimeoutMs: number;
  /** The load's own credentials by reference (tenants); absent: each agent's own. */
  authRef?: AuthSpec;
  /** The whole run's id when it has several loads (agents take a share of each). */
  group?: string;
}

const HEARTBEAT_MS = 1000;
const HEARTBEAT_TIMEOUT_MS = 2000;

/** Server URLs as agents get them: without user:password, which each agent has of its own. */
export function urlsForAgents(servers: string[]): string[] {
  return servers.map((u) => redactUrl(u).replace(/\[redacted\]@/, ""));
}

export class AgentExecutor implements Executor {
  private shares: AgentShare[] = [];
  private readonly cpu = new Map<number, number | undefined>();

  constructor(private readonly setup: AgentRunSetup) {}

  /** Each agent that ran a share, with its share, clock and CPU; after the run for the CPU. */
  env(): AgentEnv[] {
    return this.shares
      .filter((s) => s.clients.length > 0)
      .map((s) => {
        const { remote, clock } = this.setup.agents[s.agent]!;
        const cpuPercent = this.cpu.get(s.agent);
        return {
          name: remote.info.name,
          host: remote.info.host,
          cpus: remote.info.cpus,
          share: Math.round(s.fraction * 1e4) / 1e4,
          clients: s.clients.length,
          threads: s.threads.length,
          ratePerSec: Math.round(s.clients.reduce((n, c) => n + rateOf(c), 0) * 1000) / 1000,
          clockOffsetUs: Math.round(clock.offsetNs / 1000),
          clockErrorUs: Math.ceil(clock.errorNs / 1000),
          clock: clock.shared ? ("shared" as const) : ("measured" as const),
          ...(cpuPercent !== undefined && { cpuPercent }),
        };
      });
  }

  /** The agents picked for the run, by name. */
  names(): string[] {
    return this.setup.agents.map((a) => a.remote.info.name);
  }

  /** Agents the split left without a client (the profile has fewer instances than agents). */
  idle(): string[] {
    return this.shares
      .filter((s) => s.clients.length === 0)
      .map((s) => this.setup.agents[s.agent]!.remote.info.name);
  }

  start(plan: Plan, settings: ThreadSettings, events: ExecutionEvents): Execution {
    const { nc, runId, agents } = this.setup;
    this.shares = splitPlan(
      plan,
      agents.map((a) => a.remote.info.cpus),
      (i, clients) => this.setup.threadsFor(agents[i]!.remote, clients.length / plan.clients.length),
      settings.connectionsPerWorker,
    );
    const used = this.shares.filter((s) => s.clients.length > 0);
    const counters = new Float64Array(HEADER_FIELDS + plan.clients.length * COUNTER_STRIDE);
    const subject = dataSubject(this.setup.prefix, runId);
    const byName = new Map(used.map((s) => [agents[s.agent]!.remote.info.name, s]));
    const slotsOf = new Map(used.map((s) => [s.agent, s.clients.map((c) => c.slot)]));
    const lost = new Set<number>();
    const heartbeats = new Set<number>();
    let measureEndNs: number | undefined;
    let stopPublishers = false;
    let closed = false;
    const fault = (reason: string) => {
      if (!closed) events.onFault(reason);
    };
    const remoteOf = (s: AgentShare) => agents[s.agent]!.remote;

    const sub: Subscription = nc.subscribe(subject, {
      callback: (_err, m) => {
        const share = byName.get(m.headers?.get(HEADER_AGENT) ?? "");
        if (!share) return;
        const kind = m.headers?.get(HEADER_KIND);
        if (kind === "rows")
          decodeRows(m.data, counters, slotsOf.get(share.agent)!, COUNTER_FIELDS, COUNTER_ROWS);
        else if (kind === "interval") {
          try {
            events.onInterval(m.json());
          } catch {
            // Not a snapshot of ours: a second's figures are the least a run can lose.
          }
        } else if (kind === "fault") fault(`${remoteOf(share).label}: ${m.string()}`);
      },
    });
    // Heartbeats unanswered in a row, per agent: one may be a pause on a busy host, two are not.
    const misses = new Map<number, number>();
    const update = (s: AgentShare) =>
      remoteOf(s)
        .update(
          {
            runId,
            ...(measureEndNs !== undefined && { measureEndNs }),
            ...(stopPublishers && { stopPublishers }),
          },
          HEARTBEAT_TIMEOUT_MS,
        )
        .then(
          () => misses.set(s.agent, 0),
          (err: Error) => {
            // With the control connection down no agent answers: that is the fault to report, not this one.
            if (watch.disconnected() || lost.has(s.agent)) return;
            const missed = (misses.get(s.agent) ?? 0) + 1;
            misses.set(s.agent, missed);
            if (missed < 2 && !/is gone/.test(err.message)) return;
            lost.add(s.agent);
            fault(oneLine(err));
          },
        );
    const beat = setInterval(() => {
      for (const s of used) if (heartbeats.has(s.agent) && !lost.has(s.agent)) void update(s);
    }, HEARTBEAT_MS);
    const watch = watchControl(nc, this.setup.controlUrl, fault);

    const servers = urlsForAgents(settings.servers);
    void Promise.all(
      used.map((s) =>
        remoteOf(s)
          .prepare(
            {
              runId,
              totalClients: plan.clients.length,
              slots: slotsOf.get(s.agent)!,
              threads: s.threads,
              servers,
              connection: settings.connect.connection,
              ...(settings.connect.pinned && { pinned: true }),
              stream: settings.stream,
              connectionsPerWorker: settings.connectionsPerWorker,
              publisherCount: settings.publisherCount,
              timing: settings.timing,
              record: settings.record,
              clockOffsetNs: agents[s.agent]!.clock.offsetNs,
              dataSubject: subject,
              heartbeatTimeoutMs: Math.max(10_000, this.setup.readyTimeoutMs + 5000),
              ...(this.setup.authRef && { authRef: this.setup.authRef }),
              ...(this.setup.group && { group: this.setup.group }),
            },
            this.setup.readyTimeoutMs,
          )
          .then(() => heartbeats.add(s.agent)),
      ),
    ).then(
      () => events.onReady(),
      (err: Error) => fault(oneLine(err)),
    );

    const maxRttNs = Math.max(0, ...agents.map((a) => a.clock.rttNs));
    return {
      counters,
      threadCount: used.reduce((n, s) => n + s.threads.length, 0),
      // The go requests travel at once to every agent: a round trip or three covers the slowest.
      startLeadNs: 100_000_000n + BigInt(Math.ceil(3 * maxRttNs)),
      go: (startNs) => {
        for (const s of used)
          remoteOf(s)
            .go(runId, startNs)
            .catch((err: Error) => fault(oneLine(err)));
      },
      setMeasureEnd: (ns) => {
        measureEndNs = ns;
        for (const s of used) if (heartbeats.has(s.agent) && !lost.has(s.agent)) void update(s);
      },
      stopPublishers: () => {
        stopPublishers = true;
        for (const s of used) if (heartbeats.has(s.agent) && !lost.has(s.agent)) void update(s);
      },
      finish: async () => {
        clearInterval(beat);
        // Without the control connection no agent can be asked for anything: say so, never wait on it.
        const collected = Promise.all(used.map((s) => this.collect(s, lost.has(s.agent)))).then(
          (outcomes) => ({
            threads: outcomes.flatMap((o) => o.threads),
            ...(outcomes.some((o) => o.failure) && { failure: outcomes.find((o) => o.failure)!.failure }),
          }),
        );
        return Promise.race([
          collected,
          watch.lost.then((why) => ({ threads: [], failure: `${why}: the agents' figures are missing` })),
        ]);
      },
      generatorCpuPercent: () => {
        const each = used.map((s) => this.cpu.get(s.agent));
        if (each.some((c) => c === undefined)) return undefined;
        return Math.round(each.reduce<number>((n, c) => n + c!, 0) * 10) / 10;
      },
      close: async () => {
        closed = true;
        clearInterval(beat);
        watch.stop();
        sub.unsubscribe();
      },
    };
  }

  /** Stops one agent's share and fetches its results; a lost agent has none. */
  private async collect(
    s: AgentShare,
    lost: boolean,
  ): Promise<{ threads: ThreadResult[]; failure?: string }> {
    const remote = this.setup.agents[s.agent]!.remote;
    if (lost) return { threads: [], failure: `${remote.label} was lost; its share's figures are missing` };
    const { runId } = this.setup;
    try {
      const reply = await remote.stop(runId, 30_000);
      this.cpu.set(s.agent, reply.cpuPercent);
      const threads = await remote.results(runId, reply.parts);
      return { threads, ...(reply.failure && { failure: `${remote.label}: ${reply.failure}` }) };
    } catch (err) {
      return { threads: [], failure: oneLine(err) };
    } finally {
      await remote.release(runId).catch(() => {});
    }
  }
}

function rateOf(c: ClientTask): number {
  return (c.role === "publisher" || c.role === "op") && c.ratePerSec !== "max" ? c.ratePerSec : 0;
}
