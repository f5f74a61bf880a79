/**
 * lameDuck: the node enters lame duck mode (it stops taking clients and moves them off, as before a
 * planned shutdown); after `for` it is stopped if it still runs and started again on its store.
 */
import type { Injector, ResolvedTarget } from "./injector.js";

export function lameDuckInjector(on: ResolvedTarget, embedded: boolean): Injector {
  const node = on.node!;
  return {
    start: () => node.lameDuck(),
    // A named server's own start command decides what to do with one still draining.
    end: async () => {
      if (embedded) await node.kill();
      await node.start();
    },
  };
}
