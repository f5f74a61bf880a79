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
import { RuntimeFailure } from "../errors.js";
import { ensureWritableDir, tailFile } from "../util/files.js";
import { trackChild } from "../util/shutdown.js";
import { findNatsServer } from "./binary.js";
import { parsePortsFile, renderServerConfig, type ServerAuth, type ServerTls } from "./config.js";
import { MonitorClient } from "./monitor.js";
import { isProcessAlive, stopProcess } from "./process.js";

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
  auth?: ServerAuth;
  /** TLS on the client port (and mutual TLS with verify). */
  tls?: ServerTls;
  serverName?: string;
  cluster?: { name: string; port: number; routes: string[] };
  /** Where the server's log goes; a file in its run dir when absent. */
  logFile?: string;
  /** Keep running after benchline exits (`benchline server start`). */
  detached?: boolean;
  /** How long to wait for /healthz. */
  readyTimeoutMs?: number;
}

/** A running nats-server. Stop it with `stop()` or `await using`. */
export class NatsServer implements AsyncDisposable {
  private stopped = false;

  private constructor(
    readonly pid: number,
    readonly clientUrl: string,
    readonly monitorUrl: string,
    readonly clusterUrl: string | undefined,
    readonly logFile: string,
    readonly storeDir: string,
    readonly runDir: string,
    private readonly removeOnStop: string[],
    private readonly untrack: () => void,
  ) {}

  get monitor(): MonitorClient {
    return new MonitorClient(this.monitorUrl);
  }

  static async start(options: StartOptions = {}): Promise<NatsServer> {
    const bin = findNatsServer();
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
    const config = renderServerConfig({
      serverName: options.serverName ?? `benchline-${randomBytes(4).toString("hex")}`,
      host: "127.0.0.1",
      port: options.port ?? -1,
      monitorPort: options.monitorPort ?? -1,
      storeDir,
      portsFileDir: runDir,
      jsMaxMemoryBytes: options.jsMaxMemoryBytes,
      jsMaxFileBytes: options.jsMaxFileBytes,
      auth: options.auth,
      tls: options.tls,
      cluster: options.cluster,
    });
    // The config may hold a token or password: readable by its owner only.
    await writeFile(configPath, config, { mode: 0o600 });

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
      const ports = await waitForPortsFile(runDir, pid, () => exitCode, options.readyTimeoutMs ?? 5000);
      const server = new NatsServer(
        pid,
        ports.clientUrls[0]!,
        ports.monitorUrls[0]!,
        ports.clusterUrls[0],
        logFile,
        storeDir,
        runDir,
        removeOnStop,
        untrack,
      );
      await waitForHealthy(server.monitor, () => exitCode, options.readyTimeoutMs ?? 5000);
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
        if (ports.clientUrls.length > 0 && ports.monitorUrls.length > 0) return ports;
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

function explainStartFailure(err: Error, logTail: string, options: StartOptions): RuntimeFailure {
  const inUse = /address already in use/i.exec(logTail);
  if (inUse) {
    const port = /:(\d+)\b[^:]*address already in use/.exec(logTail)?.[1];
    return new RuntimeFailure(
      `port ${port ?? options.port ?? options.monitorPort} is already in use; choose another with --port/--monitor-port or leave them out so the server picks free ones`,
      { cause: err },
    );
  }
  const lastLine = logTail.split("\n").filter(Boolean).at(-1) ?? "no log output";
  return new RuntimeFailure(`nats-server ${err.message}: ${lastLine.replace(/^\[\d+\] \S+ \S+ /, "")}`, {
    cause: err,
  });
}
