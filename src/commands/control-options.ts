/**
 * The flags that reach agents: where the control server is and how to log in to it (credentials of its
 * own, never those of the servers under load), and for run, baseline record, compare and capacity how
 * many agents of which tag to run the load on.
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { AgentControl, type ControlSpec } from "../agents/control.js";
import { parseAgentCount } from "../agents/discovery.js";
import { DEFAULT_CONTROL_PREFIX } from "../agents/wire.js";
import { UsageError } from "../errors.js";
import { checkOneAuthMethod } from "../profile/connection.js";
import { splitUrlCredentials } from "../profile/url-credentials.js";
import { checkServerUrl } from "./connection-options.js";

export interface ControlArgs {
  control?: string;
  controlPrefix: string;
  controlCreds?: string;
  controlNkey?: string;
  controlToken?: string;
  controlUser?: string;
  controlPassword?: string;
  controlTlsCa?: string;
}

export interface AgentArgs extends ControlArgs {
  agents?: string;
  agentTag?: string;
}

const GROUP = "Agents (the control server and its own credentials):";

export function withControlOptions<T>(y: Argv<T>) {
  return y
    .option("control", {
      type: "string",
      describe: "control server URL (env BENCHLINE_CONTROL)",
      group: GROUP,
    })
    .option("control-prefix", {
      type: "string",
      default: DEFAULT_CONTROL_PREFIX,
      describe: "root of the control subjects: agents answer on PREFIX.agent.NAME.>",
      group: GROUP,
    })
    .option("control-creds", {
      type: "string",
      describe: "creds file (env BENCHLINE_CONTROL_CREDS)",
      group: GROUP,
    })
    .option("control-nkey", { type: "string", describe: "nkey seed file", group: GROUP })
    .option("control-token", {
      type: "string",
      describe: "token (prefer env BENCHLINE_CONTROL_TOKEN)",
      group: GROUP,
    })
    .option("control-user", { type: "string", describe: "user (env BENCHLINE_CONTROL_USER)", group: GROUP })
    .option("control-password", {
      type: "string",
      describe: "password (prefer env BENCHLINE_CONTROL_PASSWORD)",
      group: GROUP,
    })
    .option("control-tls-ca", {
      type: "string",
      describe: "CA file to trust the control server by",
      group: GROUP,
    });
}

export function withAgentOptions<T>(y: Argv<T>) {
  return withControlOptions(y)
    .option("agents", {
      type: "string",
      describe:
        'run the load on N idle agents (or "all") found on --control; without --server the embedded server is on this host, which only agents on this host reach: remote agents need --server',
      group: GROUP,
    })
    .option("agent-tag", { type: "string", describe: "only agents started with --tag T", group: GROUP });
}

/** The control server as the flags and BENCHLINE_CONTROL* environment say; a one-line error otherwise. */
export function controlSpec(args: ControlArgs, env: NodeJS.ProcessEnv = process.env): ControlSpec {
  const url = args.control ?? env.BENCHLINE_CONTROL;
  if (!url) throw new UsageError("name the control server: --control URL (or set BENCHLINE_CONTROL)");
  checkServerUrl(url);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(args.controlPrefix))
    throw new UsageError(
      `--control-prefix ${args.controlPrefix}: subject tokens of letters, digits, - and _, joined by dots`,
    );
  const creds = args.controlCreds ?? env.BENCHLINE_CONTROL_CREDS;
  const given = {
    token: args.controlToken ?? env.BENCHLINE_CONTROL_TOKEN,
    user: args.controlUser ?? env.BENCHLINE_CONTROL_USER,
    password: args.controlPassword ?? env.BENCHLINE_CONTROL_PASSWORD,
    nkeyFile: args.controlNkey && resolve(args.controlNkey),
    credsFile: creds && resolve(creds),
  };
  // As for the servers under load: nats://TOKEN@host or USER:PASSWORD@host, taken out of the URL.
  const { servers, credentials } = splitUrlCredentials([url], "--control");
  if (credentials && Object.values(given).some((v) => v !== undefined))
    throw new UsageError(
      "the --control URL carries credentials, and so do --control-* flags or BENCHLINE_CONTROL_*: give them one way",
    );
  const auth = { ...given, ...credentials };
  checkOneAuthMethod(auth, "control flags");
  const anyAuth = Object.values(auth).some((v) => v !== undefined);
  return {
    url: servers[0]!,
    prefix: args.controlPrefix,
    ...(anyAuth && { auth }),
    ...(args.controlTlsCa && { tls: { caFile: resolve(args.controlTlsCa), insecure: false } }),
  };
}

/** The agents a command's runs take, or undefined when it runs on this host. */
export async function openAgents(args: AgentArgs): Promise<AgentControl | undefined> {
  if (args.agents === undefined) {
    if (args.control !== undefined || args.agentTag !== undefined)
      throw new UsageError("--control and --agent-tag go with --agents N|all: say how many agents to run on");
    return undefined;
  }
  const count = parseAgentCount(args.agents);
  return AgentControl.open(controlSpec(args), { count, ...(args.agentTag && { tag: args.agentTag }) });
}
