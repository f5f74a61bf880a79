/**
 * A typed client for the nats-server monitoring port. The server's snake_case JSON is read here and
 * turned into camelCase types, so no other file needs the wire names.
 */
import { RuntimeFailure } from "../errors.js";

/** /varz: the server's identity, load and traffic totals. */
export interface Varz {
  serverName: string;
  version: string;
  startedAt: string;
  uptime: string;
  maxPayloadBytes: number;
  cpuPercent: number;
  memBytes: number;
  cores: number;
  connections: number;
  totalConnections: number;
  routes: number;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  slowConsumers: number;
  subscriptions: number;
  jetstreamEnabled: boolean;
}

/** /jsz: JetStream usage against its limits, and the meta group when clustered. */
export interface Jsz {
  memoryBytes: number;
  storageBytes: number;
  maxMemoryBytes: number;
  maxStorageBytes: number;
  streams: number;
  consumers: number;
  messages: number;
  bytes: number;
  apiTotal: number;
  apiErrors: number;
  metaLeader?: string;
  metaClusterSize?: number;
}

/** /connz: one row per client connection. */
export interface Connz {
  numConnections: number;
  connections: Array<{
    cid: number;
    name?: string;
    ip: string;
    port: number;
    inMsgs: number;
    outMsgs: number;
    pendingBytes: number;
    subscriptions: number;
  }>;
}

type Wire = Record<string, unknown>;
const num = (v: unknown) => (typeof v === "number" ? v : 0);
const str = (v: unknown) => (typeof v === "string" ? v : "");

export class MonitorClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 2000,
  ) {}

  private async get(path: string): Promise<Wire> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new RuntimeFailure(
        `monitoring endpoint ${this.baseUrl}${path} is unreachable: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const body = (await res.json().catch(() => ({}))) as Wire;
    if (!res.ok && path !== "/healthz") {
      throw new RuntimeFailure(`monitoring endpoint ${this.baseUrl}${path} answered HTTP ${res.status}`);
    }
    return body;
  }

  /** True when the server says it is healthy (JetStream included). */
  async healthz(): Promise<{ ok: boolean; error?: string }> {
    const body = await this.get("/healthz");
    return body.status === "ok" ? { ok: true } : { ok: false, error: str(body.error) || str(body.status) };
  }

  async varz(): Promise<Varz> {
    const v = await this.get("/varz");
    return {
      serverName: str(v.server_name),
      version: str(v.version),
      startedAt: str(v.start),
      uptime: str(v.uptime),
      maxPayloadBytes: num(v.max_payload),
      cpuPercent: num(v.cpu),
      memBytes: num(v.mem),
      cores: num(v.cores),
      connections: num(v.connections),
      totalConnections: num(v.total_connections),
      routes: num(v.routes),
      inMsgs: num(v.in_msgs),
      outMsgs: num(v.out_msgs),
      inBytes: num(v.in_bytes),
      outBytes: num(v.out_bytes),
      slowConsumers: num(v.slow_consumers),
      subscriptions: num(v.subscriptions),
      jetstreamEnabled:
        typeof v.jetstream === "object" && v.jetstream !== null && "config" in (v.jetstream as Wire),
    };
  }

  async jsz(): Promise<Jsz> {
    const j = await this.get("/jsz");
    const config = (j.config ?? {}) as Wire;
    const api = (j.api ?? {}) as Wire;
    const meta = j.meta_cluster as Wire | undefined;
    return {
      memoryBytes: num(j.memory),
      storageBytes: num(j.storage),
      maxMemoryBytes: num(config.max_memory),
      maxStorageBytes: num(config.max_storage),
      streams: num(j.streams),
      consumers: num(j.consumers),
      messages: num(j.messages),
      bytes: num(j.bytes),
      apiTotal: num(api.total),
      apiErrors: num(api.errors),
      metaLeader: meta ? str(meta.leader) || undefined : undefined,
      metaClusterSize: meta ? num(meta.cluster_size) : undefined,
    };
  }

  async connz(): Promise<Connz> {
    const c = await this.get("/connz");
    const rows = Array.isArray(c.connections) ? (c.connections as Wire[]) : [];
    return {
      numConnections: num(c.num_connections),
      connections: rows.map((r) => ({
        cid: num(r.cid),
        name: str(r.name) || undefined,
        ip: str(r.ip),
        port: num(r.port),
        inMsgs: num(r.in_msgs),
        outMsgs: num(r.out_msgs),
        pendingBytes: num(r.pending_bytes),
        subscriptions: num(r.subscriptions),
      })),
    };
  }
}
