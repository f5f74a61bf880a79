/**
 * The agent: a micro service (the official @nats-io/services package) on the control server, one run at
 * a time. A prepare claims it for its run id from its first part on; another run's prepare while it is
 * claimed is refused (409) with who holds it and since when, never queued, so a coordinator learns at
 * once that it must wait or pick another agent. Endpoints live under `<prefix>.agent.<name>`, the only
 * subjects the agent takes work from.
 */
import { hostname } from "node:os";
import { type ServiceMsg, Svcm } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ConnectSpec } from "../engine/connect-options.js";
import { UsageError } from "../errors.js";
import { bootId } from "../util/boot-id.js";
import { benchlineVersion } from "../version.js";
import { resolveAuthRef } from "./auth-ref.js";
import { type AgentMetadata, type AgentStatus, listAgents } from "./discovery.js";
import { ShareRun } from "./share.js";
import {
  AGENT_SERVICE,
  Assembly,
  agentGroup,
  decodeValue,
  type GoRequest,
  HEADER_CHUNK,
  HEADER_FROM,
  HEADER_GROUP,
  HEADER_RUN,
  type PrepareRequest,
  parseChunk,
  type ResultRequest,
  type UpdateRequest,
} from "./wire.js";

export interface AgentConfig {
  name: string;
  tag?: string;
  prefix: string;
  /** CPUs the agent offers: runs weigh its share and size its threads by them. */
  cpus: number;
  /** Credentials and TLS for the servers under load: the agent's own, never the coordinator's. */
  own: Pick<ConnectSpec, "auth" | "tls">;
  /** How long a claim may wait for the rest of its prepare. */
  claimTimeoutMs?: number;
}

export interface AgentService {
  /** Refuses new work, stops a share in progress (telling its coordinator why), and leaves. */
  drain(why: string): Promise<void>;
  /** Resolves when the service has stopped (drained, or its connection closed). */
  stopped: Promise<unknown>;
}

/** The run an agent holds: claimed by a prepare's first part, a share once the prepare is whole. */
interface Claim {
  runId: string;
  /** The composed run: shares of one group (its loads side by side) may be held at once. */
  group: string;
  coordinator: string;
  since: string;
  transfer?: Assembly;
  share?: ShareRun;
  expiry: NodeJS.Timeout;
}

export async function startAgentService(nc: NatsConnection, config: AgentConfig): Promise<AgentService> {
  if ((await listAgents(nc)).some((a) => a.name === config.name && a.prefix === config.prefix))
    throw new UsageError(
      `an agent named ${config.name} already answers on this control server; give this one another --name`,
    );
  // One run at a time; a run of several loads (tenants) holds a share of each, under one group.
  const claims = new Map<string, Claim>();
  let draining = false;
  const release = (runId: string) => {
    const held = claims.get(runId);
    if (!held) return;
    claims.delete(runId);
    clearTimeout(held.expiry);
    held.share?.close().catch(() => {});
  };
  const status = (): AgentStatus => {
    const claim = claims.values().next().value as Claim | undefined;
    return {
      busy: claim !== undefined,
      draining,
      ...(claim && { run: claim.group, coordinator: claim.coordinator, since: claim.since }),
    };
  };
  const metadata: AgentMetadata = {
    agent: config.name,
    host: hostname(),
    cpus: String(config.cpus),
    benchline: benchlineVersion,
    node: process.version,
    tag: config.tag ?? "",
    prefix: config.prefix,
    boot: bootId(),
  };
  // @nats-io/services is built on an older nats-core than the transport; the connection's surface it uses is the same.
  const svc = await new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]).add({
    name: AGENT_SERVICE,
    version: benchlineVersion,
    description: "benchline load agent: runs its share of a run on its own worker threads",
    metadata: { ...metadata },
    statsHandler: async () => status(),
  });
  const group = svc.addGroup(agentGroup(config.prefix, config.name));
  /** The share of the run a command names, or an error answered. */
  const shareOf = (m: ServiceMsg, runId: string): ShareRun | undefined => {
    const share = claims.get(runId)?.share;
    if (share) return share;
    m.respondError(404, `agent ${config.name} holds no run ${runId}`);
    return undefined;
  };
  const json = <T>(m: ServiceMsg) => m.json<T>();

  group.addEndpoint("clock", (_err, m) => m.respond(String(process.hrtime.bigint())));

  group.addEndpoint("prepare", (_err, m) => {
    const runId = m.headers?.get(HEADER_RUN) ?? "";
    const [index, count] = parseChunk(m.headers?.get(HEADER_CHUNK)) ?? [0, 1];
    if (draining) return void m.respondError(503, `agent ${config.name} is shutting down`);
    const group = m.headers?.get(HEADER_GROUP) || runId;
    const other = [...claims.values()].find((c) => c.group !== group);
    if (other)
      return void m.respondError(
        409,
        `agent ${config.name} is busy with run ${other.group} from ${other.coordinator} since ${other.since}`,
      );
    let claim = claims.get(runId);
    if (!claim) {
      claim = {
        runId,
        group,
        coordinator: m.headers?.get(HEADER_FROM) || "?",
        since: new Date().toISOString(),
        transfer: new Assembly(count),
        // A coordinator that vanished mid-prepare must not hold the agent for ever.
        expiry: setTimeout(() => release(runId), config.claimTimeoutMs ?? 60_000),
      };
      claims.set(runId, claim);
    }
    const held = claim;
    if (!held.transfer || held.share) return void m.respondError(409, `run ${runId} is prepared already`);
    const whole = held.transfer.add(index, m.data);
    if (!whole) return void m.respond("{}");
    held.transfer = undefined;
    const request = decodeValue<PrepareRequest>(whole);
    let own = config.own;
    try {
      // A tenant's load: the profile's references, filled from this agent's environment.
      if (request.authRef) own = { ...own, auth: resolveAuthRef(request.authRef, process.env, config.name) };
    } catch (err) {
      m.respondError(500, (err as Error).message);
      release(runId);
      return;
    }
    held.share = new ShareRun(nc, request, config.name, own, () => release(runId));
    // The answer may come after the control connection closed (respond throws then): the
    // coordinator has its own timeout, and an unhandled rejection would end this agent.
    held.share.ready
      .then(
        () => {
          clearTimeout(held.expiry);
          m.respond(JSON.stringify({ threads: request.threads.length }));
        },
        (err: Error) => {
          release(runId);
          m.respondError(500, err.message);
        },
      )
      .catch(() => {});
  });

  group.addEndpoint("go", (_err, m) => {
    const g = json<GoRequest>(m);
    const share = shareOf(m, g.runId);
    if (!share) return;
    share.go(BigInt(g.startNs));
    m.respond("{}");
  });

  group.addEndpoint("update", (_err, m) => {
    const u = json<UpdateRequest>(m);
    const share = shareOf(m, u.runId);
    if (!share) return;
    share.update(u);
    m.respond("{}");
  });

  group.addEndpoint("stop", (_err, m) => {
    const share = shareOf(m, json<{ runId: string }>(m).runId);
    share
      ?.stop()
      .then(
        (reply) => m.respond(JSON.stringify(reply)),
        (err: Error) => m.respondError(500, err.message),
      )
      .catch(() => {});
  });

  group.addEndpoint("result", (_err, m) => {
    const r = json<ResultRequest>(m);
    const part = shareOf(m, r.runId)?.part(r.part);
    if (part) m.respond(part);
    else m.respondError(404, `run ${r.runId} has no result part ${r.part} on agent ${config.name}`);
  });

  group.addEndpoint("release", (_err, m) => {
    release(json<{ runId: string }>(m).runId);
    m.respond("{}");
  });

  return {
    stopped: svc.stopped,
    drain: async (why) => {
      draining = true;
      await Promise.all(
        [...claims.values()].map(async (held) => {
          if (held.share) {
            held.share.fault(`shutting down (${why})`);
            await held.share.stop().catch(() => {});
            // The coordinator fetches the results as soon as it hears; give it a moment before leaving.
            const deadline = Date.now() + 3000;
            while (claims.get(held.runId) === held && Date.now() < deadline)
              await new Promise((r) => setTimeout(r, 50));
          }
          release(held.runId);
        }),
      );
      await svc.stop();
    },
  };
}
