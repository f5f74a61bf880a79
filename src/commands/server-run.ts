/**
 * `benchline server run [--config FILE] [--cluster 3] -- CMD ...`: a nats-server for the length of one
 * command, as a test script needs it. Starts the server (from the user's config when given), exports
 * where it listens, runs the command, always stops the server (on success, failure, a crash of the
 * command, Ctrl-C or SIGTERM) and exits with the command's code. The log stays in the artifacts dir.
 */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { CommandExited, UsageError } from "../errors.js";
import { LocalCluster } from "../server/cluster.js";
import { configCredentials } from "../server/config-credentials.js";
import { NatsServer } from "../server/launcher.js";
import { readUserConfig, type UserConfigSpec } from "../server/user-config.js";
import { ensureWritableDir } from "../util/files.js";
import { runCommand } from "../util/run-command.js";
import { shutdownSignal } from "../util/shutdown.js";
import { fileTimestamp } from "../util/time.js";
import { type ServerConfigArgs, userConfigSpec, withServerConfigOptions } from "./server-config-options.js";

interface ServerRunArgs extends ServerConfigArgs {
  config?: string;
  cluster: number;
  dir: string;
}

/** The words after the first `--`, exactly as given (yargs would turn "7" into a number). */
export function commandAfterDashes(argv: string[]): string[] {
  const at = argv.indexOf("--");
  const command = at < 0 ? [] : argv.slice(at + 1);
  if (command.length === 0)
    throw new UsageError("name the command to run after --, e.g. benchline server run -- npm test");
  return command;
}

/** What the command finds in its environment: where the server listens, and how to log in when known. */
export async function serverEnvironment(
  servers: NatsServer[],
  userConfig: UserConfigSpec | undefined,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    NATS_URL: servers.map((s) => s.clientUrl).join(","),
    NATS_MONITOR_URL: servers[0]!.monitorUrl,
  };
  const ws = servers[0]!.websocketUrl;
  if (ws) env.NATS_WEBSOCKET_URL = ws;
  const credentials = userConfig ? await configCredentials(await readUserConfig(userConfig.file)) : undefined;
  if (credentials && "token" in credentials) env.NATS_TOKEN = credentials.token;
  if (credentials && "user" in credentials) {
    env.NATS_USER = credentials.user;
    env.NATS_PASSWORD = credentials.password;
  }
  return env;
}

async function serverRun(args: ServerRunArgs): Promise<void> {
  const command = commandAfterDashes(process.argv);
  if (args.config !== undefined && args.serverConfig !== undefined && args.config !== args.serverConfig)
    throw new UsageError("--config and --server-config name the same thing; give one");
  const userConfig = userConfigSpec({ ...args, serverConfig: args.config ?? args.serverConfig });
  const dir = join(args.dir, `${fileTimestamp()}-server-run`);
  await ensureWritableDir(dir, "artifacts dir (--dir)");
  const logFile = join(dir, "nats-server.log");
  const servers =
    args.cluster > 1
      ? (await LocalCluster.start(args.cluster, { userConfig, logFile })).nodes
      : [await NatsServer.start({ userConfig, logFile })];
  let end: Awaited<ReturnType<typeof runCommand>>;
  try {
    const exported = await serverEnvironment(servers, userConfig);
    process.stderr.write(
      `nats-server ready${servers.length > 1 ? ` (${servers.length} nodes)` : ""}: NATS_URL=${exported.NATS_URL} NATS_MONITOR_URL=${exported.NATS_MONITOR_URL}${exported.NATS_WEBSOCKET_URL ? ` NATS_WEBSOCKET_URL=${exported.NATS_WEBSOCKET_URL}` : ""}; log in ${dir}/\n`,
    );
    end = await runCommand(command, { ...process.env, ...exported }, shutdownSignal);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  if (end.code !== 0) {
    const how = end.signal ? `was ended by ${end.signal}` : `exited with code ${end.code}`;
    throw new CommandExited(
      `${command.join(" ")} ${how}; the server was stopped, its log is in ${dir}/`,
      end.code,
    );
  }
}

export const serverRunCommand: CommandModule = {
  command: "run",
  describe:
    "start nats-server, run CMD (after --) with NATS_URL and NATS_MONITOR_URL set (and NATS_WEBSOCKET_URL, NATS_TOKEN or NATS_USER/NATS_PASSWORD when the config has them), always stop the server, exit with CMD's code",
  builder: (b: Argv) =>
    withServerConfigOptions(b)
      // Everything after -- is the user's command, kept out of benchline's own arguments.
      .parserConfiguration({ "populate--": true })
      .option("config", {
        type: "string",
        describe: "start the server from this nats-server.conf (same as --server-config)",
      })
      .option("cluster", { type: "number", default: 1, describe: "nodes: 1, or 3 for replicas-3 streams" })
      .option("dir", {
        type: "string",
        default: "artifacts",
        describe: "artifacts dir; the server log goes to DIR/<time>-server-run/",
      })
      .check((a) => {
        if (!Number.isInteger(a.cluster) || a.cluster < 1 || a.cluster > 7)
          throw new Error(`--cluster must be a whole number from 1 to 7, not ${a.cluster}`);
        return true;
      })
      .example("$0 server run -- npm test", "the test suite against a fresh server; exits with its code")
      .example(
        "$0 server run --config deploy/nats-server.conf --cluster 3 -- ./integration.sh",
        "a 3-node cluster from your config (free ports, temp stores); NATS_TOKEN exported when the file has one",
      )
      .epilogue("guide: docs/your-deployment.md"),
  handler: (a) => serverRun(a as unknown as ServerRunArgs),
};
