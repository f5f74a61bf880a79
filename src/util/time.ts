/** A UTC timestamp safe in file names: 20261122T055400Z. */
export function fileTimestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** What stalled() resolves to when the wait ran out first. */
export const STALLED = Symbol("stalled");

/** `p`, or STALLED if it has not settled within `ms`; the timer is cleared either way. */
export async function stalled<T>(p: Promise<T>, ms: number): Promise<T | typeof STALLED> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<typeof STALLED>((resolve) => {
    timer = setTimeout(resolve, ms, STALLED);
  });
  try {
    return await Promise.race([p, idle]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `fn` once `clock` reads `relNs` or later (at once when it already does). libuv counts whole
 * milliseconds, so a timer can fire up to 1 ms before a nanosecond clock's due time: it looks at the
 * clock and waits out the rest. Returns what cancels the call.
 */
export function atInstant(clock: { relNow(): number }, relNs: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    timer = undefined;
    const leftNs = relNs - clock.relNow();
    if (leftNs <= 0) fn();
    // Rounded up: Node truncates a fractional delay.
    else timer = setTimeout(check, Math.ceil(leftNs / 1e6));
  };
  check();
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}

/** Resolves once `clock` reads `relNs` or later (atInstant as a promise). */
export function untilInstant(clock: { relNow(): number }, relNs: number): Promise<void> {
  return new Promise((resolve) => atInstant(clock, relNs, resolve));
}
