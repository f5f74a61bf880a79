/** pause: the node is frozen (SIGSTOP) for `for`, then thawed: a GC pause or a stalled VM, seen from outside. */
import type { Injector, ResolvedTarget } from "./injector.js";

export function pauseInjector(on: ResolvedTarget): Injector {
  const node = on.node!;
  return { start: () => node.pause(), end: () => node.resume() };
}
