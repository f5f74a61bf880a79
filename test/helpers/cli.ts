import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const cliPath = fileURLToPath(new URL("../../dist/src/cli.js", import.meta.url));

/** What one benchline invocation did. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, in its own process. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A CLI run in progress: its stderr so far, its exit, and Ctrl-C. */
export function startCli(args: string[]): {
  pid: number;
  stderr(): string;
  exited: Promise<number | null>;
  interrupt(): Promise<number | null>;
} {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    pid: child.pid!,
    stderr: () => stderr,
    exited,
    interrupt: () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

/** An error line as cli.ts prints it: one line, no stack. */
export function expectOneLineError(result: CliResult): string {
  const lines = result.stderr.trim().split("\n");
  if (lines.length !== 1) throw new Error(`expected one stderr line, got:\n${result.stderr}`);
  if (/\n\s+at /.test(result.stderr)) throw new Error(`stack trace in stderr:\n${result.stderr}`);
  return lines[0]!;
}
