/** `benchline services [NAME]`: the micro services that answer $SRV.INFO, and their endpoints. */

import type { Argv, CommandModule } from "yargs";
import { discoverServices } from "../engine/services.js";
import { connectNats } from "../engine/transport.js";
import { RuntimeFailure, UsageError } from "../errors.js";

interface ServicesArgs {
  name?: string;
  server?: string;
  json: boolean;
}

async function services(args: ServicesArgs): Promise<void> {
  const server = args.server ?? process.env.NATS_URL;
  if (!server) throw new UsageError("name the server: --server URL (or set NATS_URL)");
  const nc = await connectNats({ servers: server.split(","), name: "benchline-services" }).catch(
    (err: Error) => {
      throw new RuntimeFailure(`cannot connect to ${server}: ${err.message}`, { cause: err });
    },
  );
  try {
    const found = await discoverServices(nc, args.name);
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
    y
      .positional("name", { type: "string", describe: "only this service" })
      .option("server", { type: "string", describe: "server URL (default $NATS_URL)" })
      .option("json", { type: "boolean", default: false, describe: "print JSON" }) as Argv<ServicesArgs>,
  handler: services,
};
