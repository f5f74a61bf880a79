/** `benchline services [NAME]`: the micro services that answer $SRV.INFO, and their endpoints. */

import type { Argv, CommandModule } from "yargs";
import { connectFailure, connectOptions } from "../engine/connect-options.js";
import { permissionFailure } from "../engine/permissions.js";
import { discoverServices } from "../engine/services.js";
import { connectNats } from "../engine/transport.js";
import { UsageError } from "../errors.js";
import { inboxPrefixOf } from "../profile/connection.js";
import { type ConnectionArgs, connectionFromArgs, withConnectionOptions } from "./connection-options.js";

interface ServicesArgs extends ConnectionArgs {
  name?: string;
  json: boolean;
}

async function services(args: ServicesArgs): Promise<void> {
  const { servers, spec } = connectionFromArgs(args);
  if (servers.length === 0)
    throw new UsageError("name the server: --server URL (or set NATS_URL, or --context NAME)");
  const options = await connectOptions(spec, "services");
  const nc = await connectNats({ ...options, servers }).catch((err: Error) => {
    throw connectFailure(err, servers, spec);
  });
  try {
    const found = await discoverServices(nc, args.name).catch((err: unknown) => {
      throw permissionFailure(err, inboxPrefixOf(spec.connection)) ?? err;
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      return;
    }
    if (found.length === 0) {
      process.stdout.write(`no service answered $SRV.INFO${args.name ? `.${args.name}` : ""}\n`);
      return;
    }
    const lines = found.flatMap((s) => [
      `${s.name} ${s.version} (${s.id})`,
      ...s.endpoints.map((e) => `  ${e.name}: ${e.subject}${e.queueGroup ? ` (queue ${e.queueGroup})` : ""}`),
    ]);
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await nc.close();
  }
}

export const servicesCommand: CommandModule<object, ServicesArgs> = {
  command: "services [name]",
  describe:
    "list the NATS micro services that answer $SRV.INFO and their endpoints (to drive with quick service)",
  builder: (y: Argv) =>
    withConnectionOptions(y, "one of them, or --context, is needed")
      .positional("name", { type: "string", describe: "only this service" })
      .option("json", { type: "boolean", default: false, describe: "print JSON" })
      .example("$0 services --server nats://host:4222", "every service, with NATS_TOKEN or --creds as needed")
      .example("$0 services --context prod orders --json", "one service, from a nats CLI context")
      .epilogue("guide: docs/workloads.md") as Argv<ServicesArgs>,
  handler: services,
};
