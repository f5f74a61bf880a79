/**
 * Which key an operation touches: uniform over the key space, or zipf-like (a few hot keys take most
 * operations). The zipf pick inverts the continuous bounded power law P(x) ~ x^-s on [1, N + 1): O(1)
 * per pick and no table, so a key space of millions costs nothing; rank 0 is the hottest key.
 */
export interface KeySpace {
  /** A key index in [0, count). */
  pick(): number;
}

export function keySpace(count: number, distribution: "uniform" | "zipf", exponent: number): KeySpace {
  if (distribution === "uniform" || count === 1) return { pick: () => Math.floor(Math.random() * count) };
  const n = count + 1;
  if (Math.abs(exponent - 1) < 1e-9) {
    return { pick: () => Math.min(count - 1, Math.floor(n ** Math.random()) - 1) };
  }
  const a = 1 - exponent;
  const top = n ** a - 1;
  return {
    pick: () => Math.min(count - 1, Math.floor((top * Math.random() + 1) ** (1 / a)) - 1),
  };
}

/** The key of index i: PREFIX.i (a dot-separated token, so watchers can filter on PREFIX.>). */
export function keyName(prefix: string, i: number): string {
  return `${prefix}.${i}`;
}
