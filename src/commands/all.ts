/** Every command of the CLI, in the order --help lists them: one list for src/cli.ts and its tests. */
import type { CommandModule } from "yargs";
import { abCommand } from "./ab.js";
import { agentCommand } from "./agent.js";
import { agentsCommand } from "./agents.js";
import { baselineCommand } from "./baseline.js";
import { capacityCommand } from "./capacity.js";
import { compareCommand } from "./compare.js";
import { drillCommand } from "./drill.js";
import { historyCommand } from "./history.js";
import { quickCommand } from "./quick.js";
import { reportCommand } from "./report.js";
import { runCommand } from "./run.js";
import { schemaCommand } from "./schema.js";
import { serverCommand } from "./server.js";
import { servicesCommand } from "./services.js";
import { sloCommand } from "./slo.js";

export const COMMANDS = [
  runCommand,
  quickCommand,
  baselineCommand,
  compareCommand,
  historyCommand,
  abCommand,
  sloCommand,
  capacityCommand,
  drillCommand,
  reportCommand,
  serverCommand,
  servicesCommand,
  agentCommand,
  agentsCommand,
  schemaCommand,
] as unknown as CommandModule[];
