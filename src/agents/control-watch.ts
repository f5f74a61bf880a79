/**
 * The coordinator's control connection during a run on agents: a run cannot go on without it (counters,
 * snapshots and heartbeats all travel on it), but a blip it reconnects from is no reason to end a run.
 */
import type { NatsConnection, Status } from "@nats-io/transport-node";
import { redactUrl } from "../profile/redact.js";

/** A control connection down this long ends the run: what agents send meanwhile is lost. */
const CONTROL_DOWN_MS = 3000;

/** Calls fault when the control connection closes, or stays down longer than CONTROL_DOWN_MS. */
export function watchControl(
  nc: NatsConnection,
  url: string,
  fault: (reason: string) => void,
): { stop(): void; lost: Promise<string>; disconnected(): boolean } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const where = redactUrl(url);
  let onLost: (why: string) => void = () => {};
  const lost = new Promise<string>((resolve) => {
    onLost = resolve;
  });
  const lose = (why: string) => {
    onLost(why);
    if (!stopped) fault(why);
  };
  // A QueuedIterator underneath: stop() removes it from the connection's listeners (one per run otherwise).
  const statuses = nc.status() as AsyncIterable<Status> & { stop?: () => void };
  void (async () => {
    for await (const s of statuses) {
      if (s.type === "disconnect")
        timer ??= setTimeout(() => lose(`lost the control connection to ${where}`), CONTROL_DOWN_MS);
      else if (s.type === "reconnect") {
        clearTimeout(timer);
        timer = undefined;
      }
    }
  })().catch(() => {});
  nc.closed().then(() => lose(`the control connection to ${where} closed`));
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      statuses.stop?.();
    },
    lost,
    disconnected: () => timer !== undefined || nc.isClosed(),
  };
}
