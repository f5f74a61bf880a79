/** The injector for a fault's kind. */
import type { FaultSpec } from "../../contract/faults.js";
import type { Injector, ResolvedTarget, StepdownRequest } from "./injector.js";
import { killInjector } from "./kill.js";
import { lameDuckInjector } from "./lame-duck.js";
import { networkInjector } from "./network.js";
import { pauseInjector } from "./pause.js";
import { restartInjector } from "./restart.js";
import { stepdownInjector } from "./stepdown.js";

export function injectorFor(
  spec: FaultSpec,
  on: ResolvedTarget,
  ctx: { embedded: boolean; stepdown: StepdownRequest },
): Injector {
  switch (spec.kind) {
    case "kill":
      return killInjector(on);
    case "restart":
      return restartInjector(on);
    case "pause":
      return pauseInjector(on);
    case "lameDuck":
      return lameDuckInjector(on, ctx.embedded);
    case "stepdown":
      return stepdownInjector(spec.of!, ctx.stepdown);
    case "network":
      return networkInjector(on, spec.network!);
  }
}
