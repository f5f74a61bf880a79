/** network: the effect applies to the chosen client links (through their fault proxies) for `for`. */
import type { NetworkEffect } from "../../contract/faults.js";
import type { Injector, ResolvedTarget } from "./injector.js";

export function networkInjector(on: ResolvedTarget, effect: NetworkEffect): Injector {
  return {
    start: async () => {
      for (const p of on.proxies) p.apply(effect);
    },
    end: async () => {
      for (const p of on.proxies) p.clear();
    },
  };
}
