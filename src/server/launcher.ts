/**
 * Starts and stops one nats-server process with JetStream. Used by the embedded runs, by
 * `benchline server start` (detached) and by the integration tests.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RuntimeFailure, UsageError } from "../errors.js";
import { ensureWritableDir, tailFile } from "../util/files.js";
import { trackChild } from "../util/shutdown.js";
import { checkNatsServerBin, findNatsServer } from "./binary.js";
import { serverReason, testConfig } from "./check-config.js";
import {
  parsePortsFile,
  renderServerConfig,
  type ServerAuth,
  type ServerTls,
  type ServerWebsocket,
} from "./config.js";
import { MonitorClient } from "./monitor.js";
import { isProcessAlive, stopProcess } from "./process.js";
import { type NodeSettings, readUserConfig, renderWrapper, type UserConfigSpec } from "./user-config.js";

/** How to start one server. Every field has a default that works on a fresh machine. */
export interface StartOptions {
  /** Client port; -1 (default) lets the server choose. */
  port?: number;
  /** Monitoring port; -1 (default) lets the server choose. */
  monitorPort?: number;
  /** JetStream store directory; a temp dir, removed on stop, when absent. */
  storeDir?: string;
  jsMaxMemoryBytes?: number;
  jsMaxFileBytes?: number;
  /** The largest message the server takes (max_payload); the server's default (1 MiB) when absent. */
  maxPayloadBytes?: number;
  auth?: ServerAuth;
  /** TLS on the client port (and mutual TLS with verify). */
  tls?: ServerTls;
  /** A websocket listener (port -1: the server picks), for websocket clients. */
  websocket?: ServerWebsocket;
  serverName?: string;
  cluster?: { name: string; port: number; routes: string[] };
  /** Where the server's log goes; a file in its run dir when absent. */
  logFile?: string;
  /** Keep running after benchline exits (`benchline server start`). */
  detached?: boolean;
  /** How long to wait for /healthz. */
  readyTimeoutMs?: number;
  /** Start from the user's nats-server.conf (ports and store replaced unless kept); auth and tls are then the file's. */
  userConfig?: UserConfigSpec;
  /** This nats-server binary instead of NATS_SERVER_BIN or the one on PATH. */
  bin?: string;
}

/** A running nats-server. Stop it with `stop()` or `await using`. */
export class NatsServer implements AsyncDisposable {
  private stopped = false;
  /** The name it runs under, as /varz says (a user's config may name it; benchline names its own). */
  serverName: string | undefined;

  private constructor(
    readonly pid: number,
    readonly clientUrl: string,
    readonly monitorUrl: string,
    readonly clusterUrl: string | undefined,
    /** The websocket listener's URL (ws:// or wss://), when it has one (started with one, or the user's config). */
    readonly websocketUrl: string | undefined,
    readonly logFile: string,
    readonly storeDir: string,
    readonly runDir: string,
    private readonly removeOnStop: string[],
    private readonly untrack: () => void,
    /** What it was started with: a fault that kills it starts it again from these. */
    readonly startOptions: StartOptions,
  ) {}

  get monitor(): MonitorClient {
    return new MonitorClient(this.monitorUrl);
  }

  static async start(options: StartOptions = {}): Promise<NatsServer> {
    const bin = options.bin ? checkNatsServerBin(options.bin) : findNatsServer();
    const runDir = await mkdtemp(join(tmpdir(), "benchline-server-"));
    const removeOnStop = [runDir];
    let storeDir = options.storeDir;
    if (storeDir) {
      await ensureWritableDir(storeDir, "store dir");
    } else {
      storeDir = join(runDir, "store");
    }
    const logFile = options.logFile ?? join(runDir, "nats-server.log");
    if (options.logFile) await ensureWritableDir(join(logFile, ".."), "log dir");

    const configPath = join(runDir, "nats-server.conf");
    // The user's config may name the server itself; benchline names its own.
    const serverName = options.userConfig
      ? options.serverName
      : (options.serverName ?? `benchline-${randomBytes(4).toString("hex")}`);
    const node: NodeSettings = {
      runDir,
      storeDir,
      port: options.port ?? -1,
      monitorPort: options.monitorPort ?? -1,
      serverName,
      cluster: options.cluster,
    };
    try {
      const config = options.userConfig
        ? await userConfigWrapper(bin, options.userConfig, node)
        : renderServerConfig({
            ...node,
            serverName: serverName!,
            host: "127.0.0.1",
            portsFileDir: runDir,
            jsMaxMemoryBytes: options.jsMaxMemoryBytes,
            jsMaxFileBytes: options.jsMaxFileBytes,
            auth: options.auth,
            tls: options.tls,
            websocket: options.websocket,
          });
      // The config may hold a token or password: readable by its owner only.
      await writeFile(configPath, config, { mode: 0o600 });
      if (options.userConfig) {
        const refused = await testConfig(bin, configPath);
        if (refused)
          throw new RuntimeFailure(
            `nats-server accepts ${options.userConfig.file} but not benchline's ports and store around it (${refused}); try --keep-ports --keep-store, or start nats-server -c ${options.userConfig.file} yourself and pass --server URL`,
          );
      }
    } catch (err) {
      await rm(runDir, { recursive: true, force: true });
      throw err;
    }

    const logFd = openSync(logFile, "a");
    const child = spawn(bin, ["-c", configPath], {
      stdio: ["ignore", logFd, logFd],
      detached: options.detached ?? false,
    });
    closeSync(logFd);
    const pid = child.pid;
    if (pid === undefined) {
      await rm(runDir, { recursive: true, force: true });
      throw new RuntimeFailure(`could not start ${bin}; check that it runs: ${bin} --version`);
    }
    const untrack = options.detached ? () => true : trackChild(pid);
    if (options.detached) child.unref();

    let exitCode: number | null | undefined;
    child.once("exit", (code, signal) => {
      exitCode = code ?? (signal ? -1 : 0);
    });

    try {
      const ports = await waitForPortsFile(
        runDir,
        pid,
        () => exitCode,
        options.readyTimeoutMs ?? 5000,
        options.websocket !== undefined,
      );
      const server = new NatsServer(
        pid,
        ports.clientUrls[0]!,
        ports.monitorUrls[0]!,
        ports.clusterUrls[0],
        ports.websocketUrls[0],
        logFile,
        options.userConfig?.keepStore ? `as set in ${options.userConfig.file}` : storeDir,
        runDir,
        removeOnStop,
        untrack,
        { ...options, serverName, storeDir, logFile },
      );
      await waitForHealthy(server.monitor, () => exitCode, options.readyTimeoutMs ?? 5000);
      server.serverName = (await server.monitor.varz().catch(() => undefined))?.serverName ?? serverName;
      return server;
    } catch (err) {
      await stopProcess(pid, 2000);
      untrack();
      const tail = await tailFile(logFile, 5);
      await rm(runDir, { recursive: true, force: true });
      throw explainStartFailure(err as Error, tail, options);
    }
  }

  get running(): boolean {
    return !this.stopped && isProcessAlive(this.pid);
  }

  /** SIGTERM, a bounded wait, then SIGKILL; temporary dirs removed. Safe to call twice. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await stopProcess(this.pid, graceMs);
    this.untrack();
    for (const dir of this.removeOnStop) await rm(dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

async function waitForPortsFile(
  runDir: string,
  pid: number,
  exited: () => number | null | undefined,
  timeoutMs: number,
  websocket: boolean,
) {
  const deadline = Date.now() + timeoutMs;
  const name = `_${pid}.ports`;
  while (Date.now() < deadline) {
    if (exited() !== undefined) throw new Error("exited during start");
    const file = (await readdir(runDir)).find((f) => f.endsWith(name));
    if (file) {
      const text = await readFile(join(runDir, file), "utf8");
      // The server may still be writing it: only a whole JSON document counts.
      try {
        const ports = parsePortsFile(text);
        if (
          ports.clientUrls.length > 0 &&
          ports.monitorUrls.length > 0 &&
          (!websocket || ports.websocketUrls.length > 0)
        )
          return ports;
      } catch {
        // partial write, try again
      }
    }
    await sleep(20);
  }
  throw new Error(`not listening after ${timeoutMs} ms`);
}

async function waitForHealthy(
  monitor: MonitorClient,
  exited: () => number | null | undefined,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (exited() !== undefined) throw new Error("exited during start");
    try {
      const health = await monitor.healthz();
      if (health.ok) return;
      last = health.error ?? "unhealthy";
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(25);
  }
  throw new Error(`not healthy after ${timeoutMs} ms (${last})`);
}

/** Exit 2 with the server's own reason when it refuses the user's config (`nats-server -t`). */
export async function checkUserConfig(spec: UserConfigSpec, bin = findNatsServer()): Promise<void> {
  const refused = await testConfig(bin, spec.file);
  if (!refused) return;
  const variable = /variable reference for '([^']+)'/i.exec(refused)?.[1];
  const fix = variable
    ? `set ${variable} in the environment or define it in the file`
    : `fix the file (check it with nats-server -t -c ${spec.file})`;
  throw new UsageError(`server config ${spec.file}: nats-server refuses it: ${refused}; ${fix}`);
}

/** The user's config, checked by the server itself, then the wrapper that includes it. */
async function userConfigWrapper(bin: string, spec: UserConfigSpec, node: NodeSettings): Promise<string> {
  await checkUserConfig(spec, bin);
  return renderWrapper(await readUserConfig(spec.file), spec, node);
}

function explainStartFailure(
  err: Error,
  logTail: string,
  options: StartOptions,
): RuntimeFailure | UsageError {
  const inUse = /address already in use/i.exec(logTail);
  if (inUse) {
    // "listen tcp 127.0.0.1:4248: bind: address already in use"
    const port = /:(\d+): bind: address already in use/.exec(logTail)?.[1];
    const how = options.userConfig?.keepPorts
      ? `free it, or leave out --keep-ports so the server picks free ones`
      : `choose another with --port/--monitor-port or leave them out so the server picks free ones`;
    return new RuntimeFailure(
      `port ${port ?? options.port ?? options.monitorPort ?? options.cluster?.port} is already in use; ${how}`,
      {
        cause: err,
      },
    );
  }
  const lastLine = logTail.split("\n").filter(Boolean).at(-1);
  // A server that passed `-t` and still exits at start refuses something only checked then (a websocket
  // without TLS, say): still the file's problem, so still exit 2.
  if (options.userConfig && err.message === "exited during start")
    return new UsageError(
      `server config ${options.userConfig.file}: nats-server refuses it at start: ${serverReason(lastLine ?? "") || "no log output"}; fix the file`,
      { cause: err },
    );
  return new RuntimeFailure(
    `nats-server ${err.message}: ${(lastLine ?? "no log output").replace(/^\[\d+\] \S+ \S+ /, "")}`,
    { cause: err },
  );
}
