/**
 * Ctrl-C and SIGTERM handling. The first signal aborts `shutdownSignal`, so the run in progress can stop,
 * write its partial result and stop its servers; a second signal exits at once. Child processes registered
 * here are killed on any exit, so no nats-server outlives benchline.
 */
import { Interrupted } from "../errors.js";

const controller = new AbortController();
const children = new Set<number>();
const exitHooks = new Set<() => void>();
let installed = false;
const forceExitAfterMs = 5000;

/** Aborted, with an Interrupted reason, when the user interrupts benchline. */
export const shutdownSignal: AbortSignal = controller.signal;

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      runExitHooks();
      killChildren();
      process.exit(130);
    }
    controller.abort(new Interrupted(`interrupted by ${sig}`));
    // Whatever listens to the signal has this long to stop cleanly; then we stop the servers and leave.
    setTimeout(() => {
      runExitHooks();
      killChildren();
      process.exit(130);
    }, forceExitAfterMs).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", () => {
    runExitHooks();
    killChildren();
  });
}

/**
 * A synchronous function to run if the process exits before its owner finished (a second Ctrl-C, a
 * crash): undo a fault that would outlive benchline. Returns the unregister function.
 */
export function registerExitHook(hook: () => void): () => void {
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

function runExitHooks(): void {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // on the way out
    }
  }
  exitHooks.clear();
}

/** Remember a child pid that must not outlive this process. */
export function trackChild(pid: number): () => void {
  children.add(pid);
  return () => children.delete(pid);
}

function killChildren(): void {
  for (const pid of children) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}
