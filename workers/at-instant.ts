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
    else timer = setTimeout(check, Math.ceil(leftNs / 1e6));
  };
  check();
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
