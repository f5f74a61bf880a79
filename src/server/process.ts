import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** True when a process with this pid exists (and we may signal it). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// A child that exited but was not reaped yet still answers kill(pid, 0).
function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^\d+ \(.*\)/, ""));
  } catch {
    return false;
  }
}

/** True when pid is alive and its command line names nats-server (guards against pid reuse). */
export function isNatsServerProcess(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("nats-server");
  } catch {
    // No /proc (not Linux): trust the pid.
    return true;
  }
}

/** SIGTERM, wait up to graceMs for the exit, then SIGKILL. Resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs: number): Promise<"stopped" | "killed" | "absent"> {
  if (!isProcessAlive(pid)) return "absent";
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return "absent";
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return "stopped";
    await sleep(20);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return "stopped";
  }
  for (let i = 0; i < 100 && isProcessAlive(pid); i++) await sleep(20);
  return "killed";
}
