/** `benchline agents --control URL`: the agents on a control server, what they run on, busy or idle. */
import type { Argv, CommandModule } from "yargs";
import { connectControlServer } from "../agents/control.js";
import { listAgents } from "../agents/discovery.js";
import { redactUrl } from "../profile/redact.js";
import { renderAgents } from "../report/agents-table.js";
import { type ControlArgs, controlSpec, withControlOptions } from "./control-options.js";

interface AgentsArgs extends ControlArgs {
  json: boolean;
}

async function agents(args: AgentsArgs): Promise<void> {
  const spec = controlSpec(args);
  const nc = await connectControlServer(spec, "agents", false);
  try {
    const found = await listAgents(nc);
    process.stdout.write(
      args.json ? `${JSON.stringify(found, null, 2)}\n` : renderAgents(found, redactUrl(spec.url)),
    );
  } finally {
    await nc.close();
  }
}

export const agentsCommand: CommandModule<object, AgentsArgs> = {
  command: "agents",
  describe: "list the benchline agents on a control server: host, CPUs, tag, version, busy or idle",
  builder: (y: Argv) =>
    withControlOptions(y)
      .option("json", { type: "boolean", default: false, describe: "print JSON" })
      .example("$0 agents --control nats://control:4222", "")
      .epilogue("guide: docs/agents.md") as unknown as Argv<AgentsArgs>,
  handler: agents,
};
