/**
 * Waiting on what a test needs to be true, not on a clock: on a loaded 2-core machine a CLI takes from
 * half a second to several to start, so a fixed sleep is either too short or wastes time.
 */
import type { NatsServer } from "../../src/server/launcher.js";

export async function waitFor(
  what: string,
  test: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Until the server has taken `messages` messages in since `from` (its in_msgs then): a run under way. */
export async function waitForTraffic(server: NatsServer, messages: number, from = 0): Promise<void> {
  await waitFor(`${messages} messages through the server`, async () => {
    const varz = await server.monitor.varz().catch(() => undefined);
    return varz !== undefined && varz.inMsgs - from >= messages;
  });
}
