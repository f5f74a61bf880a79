/** kill: SIGKILL (no shutdown, as a crash), then the node starts again on its own store after `for`. */
import type { Injector, ResolvedTarget } from "./injector.js";

export function killInjector(on: ResolvedTarget): Injector {
  const node = on.node!;
  return { start: () => node.kill(), end: () => node.start() };
}
