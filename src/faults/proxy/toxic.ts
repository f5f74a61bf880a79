/**
 * One effect on one direction of a proxied link, as Toxiproxy's toxics are: given the instant a chunk
 * could leave, when it may. The pipe keeps order, so a chunk never passes one that came before it.
 */
export interface Toxic {
  /** The earliest instant (monotonic ns) a chunk of `bytes` that is ready at `readyNs` may pass on. */
  release(bytes: number, readyNs: number): number;
  /** True for a toxic that holds every chunk (returns HELD) until it is removed. */
  readonly holds?: boolean;
}

/** A toxic that holds everything until it is removed returns this. */
export const HELD = Number.POSITIVE_INFINITY;
