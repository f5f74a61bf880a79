/** `--server-config FILE [--keep-ports] [--keep-store]`: the embedded server from the user's own config. */
import type { Argv } from "yargs";
import type { EmbeddedSpec } from "../engine/run.js";
import { UsageError } from "../errors.js";
import type { LoadedProfile } from "../profile/loader.js";
import type { UserConfigSpec } from "../server/user-config.js";

export interface ServerConfigArgs {
  serverConfig?: string;
  keepPorts?: boolean;
  keepStore?: boolean;
}

const GROUP = "Embedded server from your nats-server.conf:";

export function withServerConfigOptions<T>(y: Argv<T>) {
  return y
    .option("server-config", {
      type: "string",
      describe:
        "start the embedded server (or cluster) from this nats-server.conf: its accounts, auth, limits and TLS, on free loopback ports with a temp store",
      group: GROUP,
    })
    .option("keep-ports", {
      type: "boolean",
      describe: "with --server-config: listen where the file says instead of on free ports (one server only)",
      group: GROUP,
    })
    .option("keep-store", {
      type: "boolean",
      describe: "with --server-config: use the file's JetStream store dir instead of a temp one",
      group: GROUP,
    });
}

/** The user-config part of the flags, or undefined without --server-config. */
export function userConfigSpec(args: ServerConfigArgs): UserConfigSpec | undefined {
  if (args.serverConfig === undefined) {
    const stray = args.keepPorts ? "--keep-ports" : args.keepStore ? "--keep-store" : undefined;
    if (stray) throw new UsageError(`${stray} goes with --server-config FILE; name the config file`);
    return undefined;
  }
  if (args.serverConfig === "")
    throw new UsageError("--server-config needs a file: --server-config nats-server.conf");
  return { file: args.serverConfig, keepPorts: args.keepPorts, keepStore: args.keepStore };
}

/**
 * With --server-config the run goes to the server started from that file: a --server flag contradicts
 * it, and servers from NATS_URL, a context or the profile give way to it.
 */
export function useServerConfig(
  loaded: LoadedProfile,
  args: ServerConfigArgs & { server?: string[] },
): { loaded: LoadedProfile; embedded?: EmbeddedSpec } {
  const userConfig = userConfigSpec(args);
  if (!userConfig) return { loaded };
  if (args.server?.length)
    throw new UsageError(
      `--server-config ${userConfig.file} starts benchline's own server from that file; leave out --server, or leave out --server-config to use that server`,
    );
  return {
    loaded: {
      ...loaded,
      profile: { ...loaded.profile, servers: [] },
      stored: { ...loaded.stored, servers: [] },
    },
    embedded: { userConfig },
  };
}
