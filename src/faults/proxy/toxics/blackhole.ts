/**
 * Blackhole: nothing passes while it lasts, and the connection stays open. As with a partition that
 * heals before TCP gives up, what was held is delivered, in order, once the toxic is removed.
 */
import { HELD, type Toxic } from "../toxic.js";

export class BlackholeToxic implements Toxic {
  readonly holds = true;

  release(): number {
    return HELD;
  }
}
