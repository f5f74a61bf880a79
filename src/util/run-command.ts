/** Runs the user's command in the foreground, passing on an interrupt, and reports how it ended. */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { UsageError } from "../errors.js";
import { trackChild } from "./shutdown.js";

/** How the command ended: its exit code, or 128 + the signal's number when a signal ended it. */
export interface CommandEnd {
  code: number;
  signal?: NodeJS.Signals;
}

/**
 * Spawns `command` with the terminal (stdin, stdout, stderr) and `env`. When `signal` aborts (Ctrl-C or
 * SIGTERM to benchline) the same signal goes to the command, which decides how to end; if benchline has
 * to give up waiting, the shutdown handler kills it with the servers, so nothing outlives benchline.
 */
export function runCommand(
  command: string[],
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<CommandEnd> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: "inherit", env });
    const untrack = child.pid === undefined ? () => true : trackChild(child.pid);
    const forward = () => {
      const name = /SIG[A-Z]+/.exec(String((signal.reason as Error | undefined)?.message))?.[0];
      child.kill((name as NodeJS.Signals | undefined) ?? "SIGTERM");
    };
    signal.addEventListener("abort", forward, { once: true });
    const done = () => {
      signal.removeEventListener("abort", forward);
      untrack();
    };
    child.once("error", (err: NodeJS.ErrnoException) => {
      done();
      reject(
        new UsageError(
          err.code === "ENOENT"
            ? `${command[0]}: command not found; check the command after --`
            : `cannot run ${command[0]} (${err.code ?? err.message}); check the command after --`,
          { cause: err },
        ),
      );
    });
    child.once("exit", (code, sig) => {
      done();
      if (sig) resolve({ code: 128 + (constants.signals[sig] ?? 0), signal: sig });
      else resolve({ code: code ?? 0 });
    });
  });
}
