/** restart: a graceful shutdown (SIGTERM, the server's own orderly stop), then a start after `for`. */
import type { Injector, ResolvedTarget } from "./injector.js";

export function restartInjector(on: ResolvedTarget): Injector {
  const node = on.node!;
  return { start: () => node.stopGracefully(), end: () => node.start() };
}
