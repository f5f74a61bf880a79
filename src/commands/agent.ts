/**
 * `benchline agent --control URL`: a long-running agent. It joins the control server as a micro service,
 * takes one run at a time on its own subjects, and connects to the servers each run names with its own
 * credentials (the connection flags and NATS_* environment here), never with the coordinator's. SIGTERM
 * or Ctrl-C stops a share in progress (its coordinator is told), leaves the service, and exits.
 */
import { cpus, hostname } from "node:os";
import type { Argv, CommandModule } from "yargs";
import { connectControlServer } from "../agents/control.js";
import { startAgentService } from "../agents/service.js";
import { agentGroup } from "../agents/wire.js";
import type { Profile } from "../contract/profile.js";
import { UsageError } from "../errors.js";
import {
  applyConnectionFlags,
  CONNECTION_DEFAULTS,
  type ConnectionFlags,
  connectionFlagsWithEnv,
} from "../profile/connection.js";
import { redactUrl } from "../profile/redact.js";
import { shutdownSignal } from "../util/shutdown.js";
import { withCredentialOptions } from "./connection-options.js";
import { type ControlArgs, controlSpec, withControlOptions } from "./control-options.js";

interface AgentCommandArgs extends ControlArgs, ConnectionFlags {
  name?: string;
  tag?: string;
  cpus?: number;
}

/** hostname-pid, as a subject token: unique on a host, readable in a listing. */
export function defaultAgentName(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

async function agent(args: AgentCommandArgs): Promise<void> {
  const name = args.name ?? defaultAgentName();
  if (!/^[A-Za-z0-9_-]+$/.test(name))
    throw new UsageError(`--name ${name}: one subject token of letters, digits, - and _`);
  if (args.tag !== undefined && !/^[A-Za-z0-9_.-]+$/.test(args.tag))
    throw new UsageError(`--tag ${args.tag}: letters, digits, ., - and _`);
  const cpuCount =
    args.cpus ??
    (process.env.BENCHLINE_AGENT_CPUS ? Number(process.env.BENCHLINE_AGENT_CPUS) : cpus().length);
  if (!Number.isInteger(cpuCount) || cpuCount < 1)
    throw new UsageError(
      `--cpus ${cpuCount}: a whole number of CPUs, 1 or more (BENCHLINE_AGENT_CPUS likewise)`,
    );
  const spec = controlSpec(args);
  // The agent's own credentials for the servers under load; only auth and TLS of a profile are used.
  const own = applyConnectionFlags(
    { connection: CONNECTION_DEFAULTS } as Profile,
    connectionFlagsWithEnv(args, process.env),
    (v) => v,
  );
  const nc = await connectControlServer(spec, `agent-${name}`, true);
  try {
    const svc = await startAgentService(nc, {
      name,
      ...(args.tag && { tag: args.tag }),
      prefix: spec.prefix,
      cpus: cpuCount,
      own: { auth: own.auth, tls: own.tls },
    });
    process.stderr.write(
      `agent ${name} (${cpuCount} CPUs${args.tag ? `, tag ${args.tag}` : ""}) takes work on ${agentGroup(spec.prefix, name)}.> at ${redactUrl(spec.url)}\n`,
    );
    const interrupted = new Promise<string>((resolve) => {
      if (shutdownSignal.aborted) resolve("interrupted");
      shutdownSignal.addEventListener(
        "abort",
        () => resolve(String((shutdownSignal.reason as Error)?.message ?? "interrupted")),
        { once: true },
      );
    });
    const why = await Promise.race([interrupted, svc.stopped.then(() => "the control connection closed")]);
    process.stderr.write(`agent ${name} leaving: ${why}\n`);
    await svc.drain(why);
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

export const agentCommand: CommandModule<object, AgentCommandArgs> = {
  command: "agent",
  describe: "run as a load agent: take shares of runs from a control server, one run at a time",
  builder: (y: Argv) =>
    withCredentialOptions(
      withControlOptions(y)
        .option("name", {
          type: "string",
          describe: "agent name, unique on the control server (default host-pid)",
        })
        .option("tag", { type: "string", describe: "a tag runs can pick agents by (--agent-tag)" })
        .option("cpus", {
          type: "number",
          describe:
            "CPUs this agent may use (env BENCHLINE_AGENT_CPUS; default: the host's): in a container give its limit, which the host's count does not show",
        }),
      "Credentials for the servers under load (the agent's own; flags override NATS_* environment):",
    )
      .example("$0 agent --control nats://control:4222 --tag zone-a", "")
      .example("NATS_CREDS=load.creds $0 agent --control nats://control:4222", "")
      .epilogue(
        "The inbox prefix, connection name, timeouts and reconnects are the run's, sent with each share: a load user limited to a subject tree gets its inboxes from the coordinator's --inbox-prefix.\nguide: docs/agents.md",
      ) as unknown as Argv<AgentCommandArgs>,
  handler: agent,
};
