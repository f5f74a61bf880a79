/** `benchline server start|status|stop`: a long-lived nats-server for scripts and staging-like setups. */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Argv, CommandModule } from "yargs";
import { RuntimeFailure, UsageError } from "../errors.js";
import { renderServerStatus } from "../report/server-status.js";
import { LocalCluster } from "../server/cluster.js";
import { NatsServer, type StartOptions } from "../server/launcher.js";
import { isNatsServerProcess, stopProcess } from "../server/process.js";
import {
  corruptStateError,
  pidFilePath,
  readServerState,
  removeServerState,
  type ServerNodeState,
  type ServerState,
  serverStateDir,
  writeServerState,
} from "../server/state.js";
import { collectStatus, type ServerStatus } from "../server/status.js";
import { ensureWritableDir } from "../util/files.js";
import { isPortFree } from "../util/ports.js";
import { shutdownSignal } from "../util/shutdown.js";
import { fileTimestamp } from "../util/time.js";
import { parseSizeBytes } from "../util/units.js";
import { type ServerConfigArgs, userConfigSpec, withServerConfigOptions } from "./server-config-options.js";
import { serverRunCommand } from "./server-run.js";

const out = (text: string) => process.stdout.write(text);
const note = (text: string) => process.stderr.write(`${text}\n`);

interface StartArgs extends ServerConfigArgs {
  dir: string;
  cluster: number;
  port?: number;
  monitorPort?: number;
  store?: string;
  jsMaxMemory?: string;
  jsMaxFile?: string;
}

function describe(state: ServerState, dir: string): string {
  const lines = state.nodes.map(
    (n, i) =>
      `${state.nodes.length > 1 ? `node ${i + 1} ` : ""}pid ${n.pid}\n  client:     ${n.clientUrl}\n  monitoring: ${n.monitorUrl}\n  log:        ${n.logFile}`,
  );
  return `${lines.join("\n")}\n  pid file:   ${pidFilePath(dir)}\n`;
}

/** Stops every node still alive and forgets the state; used for stale and for stop. */
async function stopNodes(nodes: ServerNodeState[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if (isNatsServerProcess(n.pid)) await stopProcess(n.pid, 5000);
      await rm(n.runDir, { recursive: true, force: true });
    }),
  );
}

async function start(args: StartArgs): Promise<void> {
  await ensureWritableDir(serverStateDir(args.dir), "artifacts dir");
  const existing = await readServerState(args.dir);
  if (existing.kind === "corrupt") throw corruptStateError(existing);
  if (existing.kind === "ok") {
    const alive = existing.state.nodes.filter((n) => isNatsServerProcess(n.pid));
    if (alive.length === existing.state.nodes.length) {
      const status = await collectStatus(existing.state);
      if (!status.healthy) {
        const why = status.nodes.find((n) => !n.healthy)?.healthError ?? "unknown";
        throw new RuntimeFailure(
          `the server started from ${args.dir} is running but not healthy (${why}); run \`benchline server stop --dir ${args.dir}\` and start again`,
        );
      }
      out(`nats-server already running from ${args.dir}, healthy\n${describe(existing.state, args.dir)}`);
      return;
    }
    note(`removed stale pid file ${pidFilePath(args.dir)}: the server it named is no longer running`);
    await stopNodes(existing.state.nodes);
    await removeServerState(args.dir);
  }

  const logFile = join(serverStateDir(args.dir), `nats-server-${fileTimestamp()}.log`);
  const userConfig = userConfigSpec(args);
  if (userConfig && (args.jsMaxMemory || args.jsMaxFile))
    throw new UsageError(
      `--js-max-memory and --js-max-file do not apply with --server-config: set max_memory_store and max_file_store in ${userConfig.file}`,
    );
  if (userConfig?.keepStore && args.store)
    throw new UsageError("--store and --keep-store contradict each other: give one");
  const common: StartOptions = {
    detached: true,
    logFile,
    userConfig,
    jsMaxMemoryBytes: args.jsMaxMemory ? parseSizeBytes(args.jsMaxMemory, "--js-max-memory") : undefined,
    jsMaxFileBytes: args.jsMaxFile ? parseSizeBytes(args.jsMaxFile, "--js-max-file") : undefined,
  };
  let servers: NatsServer[];
  if (args.cluster > 1) {
    if (args.port !== undefined || args.monitorPort !== undefined) {
      note("--port and --monitor-port apply to a single server; the cluster's nodes pick free ports");
    }
    const cluster = await LocalCluster.start(args.cluster, {
      ...common,
      storeDirs: args.store
        ? Array.from({ length: args.cluster }, (_, i) => join(args.store!, `n${i + 1}`))
        : undefined,
    });
    servers = cluster.nodes;
  } else {
    servers = [
      await NatsServer.start({
        ...common,
        port: args.port,
        monitorPort: args.monitorPort,
        storeDir: args.store,
      }),
    ];
  }
  const state: ServerState = {
    schema: "benchline/server-state@1",
    startedAt: new Date().toISOString(),
    nodes: servers.map((s) => ({
      pid: s.pid,
      clientUrl: s.clientUrl,
      monitorUrl: s.monitorUrl,
      clusterUrl: s.clusterUrl,
      logFile: s.logFile,
      storeDir: s.storeDir,
      runDir: s.runDir,
      storeIsTemp: args.store === undefined && !userConfig?.keepStore,
    })),
  };
  try {
    await writeServerState(args.dir, state);
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  const version = (await servers[0]!.monitor.varz()).version;
  out(`started nats-server ${version}${servers.length > 1 ? `, ${servers.length}-node cluster` : ""}\n`);
  out(describe(state, args.dir));
}

async function loadRunningState(dir: string): Promise<ServerState> {
  const read = await readServerState(dir);
  if (read.kind === "corrupt") throw corruptStateError(read);
  if (read.kind === "none") {
    throw new RuntimeFailure(
      `no server is running from ${dir}; start one with \`benchline server start --dir ${dir}\``,
    );
  }
  return read.state;
}

async function status(args: { dir: string; json: boolean; watch?: number; samples?: number }): Promise<void> {
  const state = await loadRunningState(args.dir);
  let previous: ServerStatus | undefined;
  let current: ServerStatus;
  let sample = 0;
  for (;;) {
    current = await collectStatus(state, previous);
    out(args.json ? `${JSON.stringify(current, null, 2)}\n` : renderServerStatus(current));
    sample++;
    if (args.watch === undefined || (args.samples !== undefined && sample >= args.samples)) break;
    if (!current.nodes.some((n) => n.running)) break;
    previous = current;
    await sleep(args.watch * 1000, undefined, { signal: shutdownSignal }).catch(() => {});
    if (shutdownSignal.aborted) break;
  }
  const dead = current.nodes.find((n) => !n.running);
  if (dead) {
    throw new RuntimeFailure(
      `the server started from ${args.dir} is not running (pid ${dead.pid} is gone); start it again with \`benchline server start --dir ${args.dir}\``,
    );
  }
  const sick = current.nodes.find((n) => !n.healthy);
  if (sick) throw new RuntimeFailure(`the server at ${sick.clientUrl} is not healthy: ${sick.healthError}`);
}

async function stop(args: { dir: string }): Promise<void> {
  const read = await readServerState(args.dir);
  if (read.kind === "corrupt") throw corruptStateError(read);
  if (read.kind === "none") {
    out(`no server was running from ${args.dir}\n`);
    return;
  }
  const nodes = read.state.nodes;
  await stopNodes(nodes);
  await removeServerState(args.dir);
  const ports = nodes.flatMap((n) => [n.clientUrl, n.monitorUrl, n.clusterUrl ?? ""]).filter(Boolean);
  const busy: string[] = [];
  for (const url of ports) {
    const u = new URL(url);
    let free = false;
    for (let i = 0; i < 25 && !free; i++) {
      free = await isPortFree(Number(u.port), u.hostname);
      if (!free) await sleep(40);
    }
    if (!free) busy.push(url);
  }
  if (busy.length > 0) {
    throw new RuntimeFailure(
      `stopped the server but ${busy.join(", ")} still in use; find the holder with ss -ltnp`,
    );
  }
  out(`stopped nats-server (pid ${nodes.map((n) => n.pid).join(", ")}); ports are free\n`);
}

const dirOption = {
  type: "string",
  default: "artifacts",
  describe: "artifacts dir that holds the pid file, state and log",
} as const;

export const serverCommand: CommandModule = {
  command: "server",
  describe:
    "start, inspect or stop a long-lived local nats-server (JetStream on), or run a command beside one",
  builder: (y: Argv) =>
    y
      .command({
        command: "start",
        describe: "start nats-server in the background; does nothing if it already runs healthy",
        builder: (b: Argv) =>
          withServerConfigOptions(b)
            .option("cluster", {
              type: "number",
              default: 1,
              describe: "nodes: 1, or 3 for replicas-3 streams",
            })
            .option("port", { type: "number", describe: "client port (default: a free one)" })
            .option("monitor-port", { type: "number", describe: "monitoring port (default: a free one)" })
            .option("store", {
              type: "string",
              describe: "JetStream store dir (default: a temp dir removed on stop)",
            })
            .option("js-max-memory", { type: "string", describe: 'JetStream memory limit, e.g. "1GiB"' })
            .option("js-max-file", { type: "string", describe: 'JetStream file storage limit, e.g. "10GiB"' })
            .option("dir", dirOption)
            .check((a) => {
              if (!Number.isInteger(a.cluster) || a.cluster < 1 || a.cluster > 7) {
                throw new Error(`--cluster must be a whole number from 1 to 7, not ${a.cluster}`);
              }
              for (const key of ["port", "monitor-port"] as const) {
                const v = a[key];
                if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 65535)) {
                  throw new Error(`--${key} must be a port number from 1 to 65535, not ${v}`);
                }
              }
              return true;
            })
            .epilogue("guide: docs/your-deployment.md"),
        handler: (a) => start(a as unknown as StartArgs),
      })
      .command({
        command: "status",
        describe: "health, traffic, JetStream usage and last log lines; exit 3 when not running or unhealthy",
        builder: (b: Argv) =>
          b
            .option("json", { type: "boolean", default: false, describe: "print JSON instead of a table" })
            .option("watch", { type: "number", describe: "print again every SECONDS, with rates" })
            .option("samples", { type: "number", describe: "with --watch: stop after N prints" })
            .option("dir", dirOption)
            .check((a) => {
              if (a.watch !== undefined && !(a.watch > 0))
                throw new Error(`--watch must be a positive number of seconds`);
              return true;
            })
            .epilogue("guide: docs/your-deployment.md"),
        handler: (a) =>
          status(a as unknown as { dir: string; json: boolean; watch?: number; samples?: number }),
      })
      .command({
        command: "stop",
        describe: "stop it (SIGTERM, then SIGKILL after 5 s) and check its ports are free",
        builder: (b: Argv) => b.option("dir", dirOption).epilogue("guide: docs/your-deployment.md"),
        handler: (a) => stop(a as unknown as { dir: string }),
      })
      .command(serverRunCommand)
      .demandCommand(1, "say start, status, stop or run")
      .epilogue("guide: docs/your-deployment.md"),
  handler: () => {},
};
