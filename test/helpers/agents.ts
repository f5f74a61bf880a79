/** benchline agents as separate processes, as a user starts them; always stopped at the end of a test. */
import { spawn } from "node:child_process";
import { cliPath } from "./cli.js";
import { waitFor } from "./wait.js";

export interface AgentProcess extends AsyncDisposable {
  name: string;
  pid: number;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM, as Kubernetes stops a pod; resolves with the exit code. */
  terminate(): Promise<number | null>;
  /** SIGKILL: the agent dies without a word. */
  kill(): Promise<number | null>;
}

export async function startAgent(
  control: string,
  name: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<AgentProcess> {
  const child = spawn(process.execPath, [cliPath, "agent", "--control", control, "--name", name, ...extra], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (c) => {
      code = c;
      resolve(c);
    }),
  );
  const signal = (sig: NodeJS.Signals) => {
    if (code === undefined) child.kill(sig);
    return exited;
  };
  await waitFor(`agent ${name} to join the control server`, () => {
    if (code !== undefined) throw new Error(`agent ${name} exited ${code}: ${stderr}`);
    return stderr.includes("takes work on");
  });
  return {
    name,
    pid: child.pid!,
    stderr: () => stderr,
    exited,
    terminate: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    [Symbol.asyncDispose]: async () => {
      await signal("SIGKILL");
    },
  };
}

/** Several agents started side by side, stopped together. */
export async function startAgents(
  control: string,
  names: string[],
  extra: string[] = [],
): Promise<{ byName: Record<string, AgentProcess> } & AsyncDisposable> {
  const started = await Promise.allSettled(names.map((n) => startAgent(control, n, extra)));
  const up = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const dispose = async () => {
    await Promise.all(up.map((a) => a[Symbol.asyncDispose]()));
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await dispose();
    throw failed.reason;
  }
  return { byName: Object.fromEntries(up.map((a) => [a.name, a])), [Symbol.asyncDispose]: dispose };
}
