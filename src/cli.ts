#!/usr/bin/env -S node --no-memory-reducer
/**
 * The yargs root. The only place that prints an error and sets the exit code: commands throw
 * BenchlineError subclasses (or return), and this file turns them into one line and an exit code.
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { COMMANDS } from "./commands/all.js";
import { BenchlineError, ExitCode, oneLine, UsageError } from "./errors.js";
import { givenSecrets, redactText } from "./profile/redact.js";
import { installSignalHandlers } from "./util/shutdown.js";
import { helpFor, withoutCamelTwins } from "./util/usage-message.js";
import { benchlineVersion } from "./version.js";

function prefixFor(code: number): string {
  if (code === ExitCode.verdictFailed) return "fail";
  if (code === ExitCode.interrupted) return "interrupted";
  return "error";
}

async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  installSignalHandlers();
  const parser = yargs(argv)
    .scriptName("benchline")
    .usage("$0 <command> [options]\n\nLoad, measure and regression-check NATS and JetStream.")
    .command(COMMANDS)
    .option("debug", { type: "boolean", describe: "print stack traces of errors", global: true })
    .demandCommand(1, "name a command")
    .strict()
    // `--server URL profile.yaml` must not read the profile as a second URL: repeat the flag instead.
    .parserConfiguration({ "greedy-arrays": false })
    .version(benchlineVersion)
    .help()
    .alias("h", "help")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue("exit codes: 0 ok, 1 a verdict failed, 2 invalid input, 3 runtime failure, 130 interrupted")
    .epilogue(
      "guides: README.md, then docs/commands.md for every command; each command's --help names its own",
    )
    .fail((msg, err) => {
      // yargs calls this for parse and validation failures; a command's own errors pass through.
      if (err instanceof BenchlineError) throw err;
      const help = helpFor(
        argv,
        COMMANDS.map((c) => String(c.command).split(" ")[0]!),
      );
      throw new UsageError(`${withoutCamelTwins(msg ?? err?.message ?? "")}; see ${help}`, { cause: err });
    });
  try {
    await parser.parseAsync();
    return ExitCode.ok;
  } catch (err) {
    const code = err instanceof BenchlineError ? err.exitCode : ExitCode.runtimeFailure;
    const text = err instanceof BenchlineError ? oneLine(err) : `unexpected failure: ${oneLine(err)}`;
    // Commands redact what they say; this catches what a library or a new message lets through.
    const secrets = givenSecrets(argv, process.env);
    const say = (line: string) => process.stderr.write(`${redactText(line, secrets)}\n`);
    say(`${prefixFor(code)}: ${text}`);
    if (debug && err instanceof Error) {
      say(`${err.stack}`);
      if (err.cause instanceof Error) say(`caused by: ${err.cause.stack}`);
    }
    return code;
  }
}

const code = await main(hideBin(process.argv));
// A command is over when main returns: a socket nats.js leaves behind (a connect that timed out against
// a port that never speaks NATS) must not hold the process. Exit once what was written has gone out.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((done) => s.write("", done))));
process.exit(code);
