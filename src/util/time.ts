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
