/**
 * A local JetStream cluster on loopback: the usual staging shape for replicas-3 streams.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { RuntimeFailure, UsageError } from "../errors.js";
import { pickFreePort } from "../util/ports.js";
import { NatsServer, type StartOptions } from "./launcher.js";

/** Several nats-server processes routed together; stop them all with `stop()` or `await using`. */
export class LocalCluster implements AsyncDisposable {
  constructor(readonly nodes: NatsServer[]) {}

  get clientUrls(): string[] {
    return this.nodes.map((n) => n.clientUrl);
  }

  static async start(
    size = 3,
    options: Omit<StartOptions, "cluster" | "serverName" | "port" | "monitorPort" | "storeDir"> & {
      storeDirs?: string[];
      name?: string;
    } = {},
  ): Promise<LocalCluster> {
    if (size < 1) throw new RuntimeFailure(`a cluster needs at least 1 node, not ${size}`);
    if (options.userConfig?.keepPorts && size > 1)
      throw new UsageError(
        `--keep-ports keeps ${options.userConfig.file}'s ports for one server, but the ${size} nodes of a local cluster need ports of their own; leave out --keep-ports`,
      );
    // Routes must name each node before any starts, so cluster ports are chosen here, free when chosen;
    // another process may bind one before its node does (CI saw it), so a start that lost one is
    // tried again on new ports. The client and monitoring ports are left to each server.
    for (let attempt = 1; ; attempt++) {
      const clusterPorts = await Promise.all(Array.from({ length: size }, () => pickFreePort()));
      try {
        return await LocalCluster.startOn(clusterPorts, options);
      } catch (err) {
        const lostPort =
          err instanceof RuntimeFailure &&
          clusterPorts.some((p) => err.message.startsWith(`port ${p} is already in use`));
        if (!lostPort || attempt === 3) throw err;
      }
    }
  }

  private static async startOn(
    clusterPorts: number[],
    options: Parameters<typeof LocalCluster.start>[1] & object,
  ): Promise<LocalCluster> {
    const name = options.name ?? "benchline";
    const routes = clusterPorts.map((p) => `nats-route://127.0.0.1:${p}`);
    const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
    const started = await Promise.allSettled(
      clusterPorts.map((port, i) =>
        NatsServer.start({
          ...options,
          readyTimeoutMs,
          serverName: `${name}-n${i + 1}`,
          storeDir: options.storeDirs?.[i],
          logFile: options.logFile ? options.logFile.replace(/(\.log)?$/, `-n${i + 1}.log`) : undefined,
          cluster: { name, port, routes: routes.filter((_, j) => j !== i) },
        }),
      ),
    );
    const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    const cluster = new LocalCluster(nodes);
    if (failed) {
      await cluster.stop();
      throw failed.reason;
    }
    try {
      await cluster.waitForMetaLeader(readyTimeoutMs);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Resolves when every node reports the same JetStream meta leader and the full cluster size. */
  async waitForMetaLeader(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const views = await Promise.all(this.nodes.map((n) => n.monitor.jsz().catch(() => undefined)));
      const leaders = new Set(views.map((v) => v?.metaLeader));
      const leader = views[0]?.metaLeader;
      if (leader && leaders.size === 1 && views.every((v) => v?.metaClusterSize === this.nodes.length)) {
        return leader;
      }
      await sleep(100);
    }
    throw new RuntimeFailure(
      `the ${this.nodes.length}-node cluster elected no JetStream meta leader within ${timeoutMs} ms; see the server logs`,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
