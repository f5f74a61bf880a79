/** The toxics a network fault puts on each direction of a link, in the order they apply. */
import type { NetworkEffect } from "../../../contract/faults.js";
import type { Toxic } from "../toxic.js";
import { BandwidthToxic } from "./bandwidth.js";
import { BlackholeToxic } from "./blackhole.js";
import { LatencyToxic } from "./latency.js";
import { LossToxic } from "./loss.js";

/** Each direction gets its own toxics: bandwidth and jitter state is per direction. */
export function toxicsFor(effect: NetworkEffect): Toxic[] {
  const toxics: Toxic[] = [];
  if (effect.blackhole) toxics.push(new BlackholeToxic());
  if (effect.delayMs || effect.jitterMs)
    toxics.push(new LatencyToxic(effect.delayMs ?? 0, effect.jitterMs ?? 0));
  if (effect.loss) toxics.push(new LossToxic(effect.loss));
  if (effect.bandwidthBytesPerSec) toxics.push(new BandwidthToxic(effect.bandwidthBytesPerSec));
  return toxics;
}
