/**
 * The piscina handler: one task is everything one worker thread runs (its share of consumers, responders
 * and publishers). It connects, subscribes, reports ready, waits for the common start instant, runs, posts
 * a snapshot every second, and returns its clients' counts and encoded histograms.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { MessagePort } from "node:worker_threads";
import type { NatsConnection } from "@nats-io/transport-node";
import type { PermissionRefusal } from "../src/contract/permissions.js";
import { connectOptions } from "../src/engine/connect-options.js";
import { refusalOf } from "../src/engine/permissions.js";
import type { ClientResult, FromWorker, ThreadResult, ThreadTask, ToWorker } from "../src/engine/protocol.js";
import { connectNats } from "../src/engine/transport.js";
import { inboxPrefixOf } from "../src/profile/connection.js";
import { Consumer } from "./consumer.js";
import { installFastMsgParsing } from "./fast-parser.js";
import { KvWatcher } from "./kv-watcher.js";
import { dataPathOfThread } from "./nats-internals.js";
import type { OpClient } from "./op-client.js";
import { opDriver } from "./op-drivers.js";
import { Pacer } from "./pacer.js";
import { Publisher } from "./publisher.js";
import { ThreadRecorder } from "./recorder.js";
import { Responder } from "./responder.js";

// Every connection of a worker thread reads MSG frames through the fast path (fast-parser.ts).
installFastMsgParsing();

/** Distinct refused subjects kept per thread; a run refused on more is refused on all it needs. */
const MAX_REFUSED_SUBJECTS = 32;

function post(port: MessagePort, msg: FromWorker): void {
  port.postMessage(msg);
}

/** Resolves with the next message of the given type. */
function nextMessage<T extends ToWorker["type"]>(
  port: MessagePort,
  types: T[],
): Promise<Extract<ToWorker, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (msg: ToWorker) => {
      if ((types as string[]).includes(msg.type)) {
        port.off("message", onMessage);
        resolve(msg as Extract<ToWorker, { type: T }>);
      }
    };
    port.on("message", onMessage);
  });
}

export default async function runThread(task: ThreadTask): Promise<ThreadResult> {
  const { port } = task;
  const rec = new ThreadRecorder(task.thread, task.record, task.timing, task.counters, task.clockOffsetNs);
  // Agents on several hosts may share a pid (pid 1 in containers): the thread number is global, the dash
  // keeps "1"+"12" from reading as "11"+"2".
  const runTag = `${process.pid}-${task.thread}-${Date.now() % 1e6}`;
  const connections: NatsConnection[] = [];
  let stopping = false;
  let reconnects = 0;
  let permissionViolations = 0;
  const inboxPrefix = inboxPrefixOf(task.connect.connection);
  const refusals = new Map<string, PermissionRefusal>();
  let refusalReported = false;
  /**
   * The server keeps the connection and drops what it refused; nats.js reports it on the status stream
   * only. A refused subscription (an inbox, a consumer's subject) leaves a client that can never work, so
   * it ends the run with the grant to ask for; refused publishes are counted per subject.
   */
  const onRefused = (err: Error & { operation?: string; subject?: string }) => {
    permissionViolations++;
    const operation = err.operation === "subscription" ? "subscribe" : "publish";
    const r = refusalOf(operation, err.subject ?? "", inboxPrefix);
    const key = `${r.operation} ${r.subject}`;
    const had = refusals.get(key);
    if (had) had.count++;
    else if (refusals.size < MAX_REFUSED_SUBJECTS) refusals.set(key, { ...r, count: 1 });
    // Once: every refused ack after the first says the same, and the run is ending on the first.
    if ((operation === "subscribe" || r.grant === "$JS.ACK.>") && !refusalReported) {
      refusalReported = true;
      post(port, {
        type: "fault",
        thread: task.thread,
        message: `the server refused to let this user ${operation} to "${err.subject}"; grant ${operation} "${r.grant}"`,
      });
    }
  };
  const reconnectEvents: number[] = [];
  // Listen for stop from the outset: Ctrl-C may come before the start instant.
  const stopped = nextMessage(port, ["stop"]);
  const stopPublishers = nextMessage(port, ["stop-publishers", "stop"]);

  try {
    for (let i = 0; i < task.connections; i++) {
      const nc = await connectNats({
        ...(await connectOptions(task.connect, `t${task.thread}-c${i}`)),
        servers: task.servers,
      });
      connections.push(nc);
      void (async () => {
        let disconnectedNs: number | undefined;
        for await (const s of nc.status()) {
          if (s.type === "disconnect") disconnectedNs ??= rec.relNow();
          else if (s.type === "reconnect") {
            reconnects++;
            reconnectEvents.push(disconnectedNs ?? rec.relNow(), rec.relNow());
            disconnectedNs = undefined;
          } else if (s.type === "error" && s.error.name === "PermissionViolationError") onRefused(s.error);
        }
      })().catch(() => {});
      nc.closed().then((err) => {
        if (stopping) return;
        const why = err?.message ?? "closed";
        post(port, {
          type: "fault",
          thread: task.thread,
          message: `lost the connection to the server (${why})`,
        });
      });
    }
    const ncFor = (i: number) => connections[i % connections.length]!;

    const consumers: Consumer[] = [];
    const responders: Responder[] = [];
    const publishers: Array<Publisher | OpClient> = [];
    const watchers: KvWatcher[] = [];
    const pacer = new Pacer(rec);
    for (const client of task.clients) {
      if (client.role === "op") {
        publishers.push(opDriver(client, ncFor(client.connection), rec, pacer));
      } else if (client.role === "watcher") {
        watchers.push(new KvWatcher(client, ncFor(client.connection), rec));
      } else if (client.role === "consumer") {
        consumers.push(
          new Consumer(
            client,
            ncFor(client.connection),
            rec,
            task.stream,
            task.publisherCount,
            inboxPrefix,
            (message) => post(port, { type: "fault", thread: task.thread, message }),
          ),
        );
      } else if (client.role === "responder") {
        responders.push(new Responder(client, ncFor(client.connection)));
      } else {
        publishers.push(new Publisher(client, ncFor(client.connection), rec, runTag, pacer, inboxPrefix));
      }
    }
    const jetstreamPublishers = task.clients.filter(
      (c) => c.role === "publisher" && c.spec.mode === "jetstream",
    );
    if (
      jetstreamPublishers.length > 0 &&
      jetstreamPublishers.every((c) => c.role === "publisher" && c.ratePerSec === "max")
    ) {
      rec.aliases.set("pubAckRaw", "pubAck");
    }
    const prepared = (async () => {
      await Promise.all(consumers.map((c) => c.prepare()));
      await Promise.all(watchers.map((w) => w.prepare()));
      for (const r of responders) r.prepare();
      await Promise.all(publishers.map((p) => p.prepare()));
      // A round trip per connection: the server has every subscription before anyone publishes.
      await Promise.all(connections.map((nc) => nc.flush()));
    })();
    // A run stopped while this thread still prepares (another thread failed, Ctrl-C) must not wait for it.
    if ((await Promise.race([prepared.then(() => "ready" as const), stopped])) !== "ready") {
      prepared.catch(() => {});
      return finish([]);
    }
    post(port, { type: "ready", thread: task.thread });

    const go = await Promise.race([nextMessage(port, ["go"]), stopped]);
    if (go.type === "go") {
      rec.startNs = Number(go.startNs);
      armFailpoint();
      for (const c of consumers) c.start();
      for (const w of watchers) w.start();
      const intervals = startIntervalTimer(rec, port);
      void stopPublishers.then(() => {
        for (const p of publishers) p.stop();
      });
      const publisherResults = Promise.all(publishers.map((p) => p.run()));
      await stopped;
      for (const p of publishers) p.stop();
      const published = await publisherResults;
      pacer.close();
      const received = await Promise.all(consumers.map((c) => c.stop()));
      const answered = [...responders.map((r) => r.stop()), ...watchers.map((w) => w.stop())];
      // The last snapshot folds the final partial second into the totals: after every client stopped.
      intervals.stop();
      return finish([...published, ...received, ...answered]);
    }
    return finish([]);
  } finally {
    stopping = true;
    await Promise.all(connections.map((nc) => nc.close().catch(() => {})));
    port.close();
  }

  function finish(clients: ClientResult[]): ThreadResult {
    const endNs = rec.relNow();
    const publishes = rec.publishes.finish(endNs);
    const deliveries = rec.deliveries.finish(endNs);
    return {
      successes: { ...(publishes && { publishes }), ...(deliveries && { deliveries }) },
      windowHistograms: rec.windowHistograms(),
      reconnectEvents,
      thread: task.thread,
      clients,
      histograms: rec.finalHistograms(),
      named: rec.namedHistograms(),
      errors: rec.errors,
      reconnects,
      permissionViolations,
      ...(refusals.size > 0 && { permissionRefusals: [...refusals.values()] }),
      dataPath: dataPathOfThread(),
    };
  }
}

/**
 * A failpoint, as etcd's gofail: BENCHLINE_FAILPOINT=thread-throw throws from a timer half a second into
 * the run, outside any try, the way a bug in a message callback would. Tests prove with it that such a
 * throw ends the run within seconds, with its partial result and one line.
 */
function armFailpoint(): void {
  if (process.env.BENCHLINE_FAILPOINT !== "thread-throw") return;
  setTimeout(() => {
    throw new TypeError("failpoint thread-throw: Cannot read properties of undefined (reading 'slice')");
  }, 500);
}

/** Posts a snapshot at every whole second after the start instant, and a last one on stop. */
function startIntervalTimer(rec: ThreadRecorder, port: MessagePort): { stop(): void } {
  let index = 0;
  let active = true;
  void (async () => {
    while (active) {
      const nextNs = (index + 1) * 1e9;
      const waitMs = (nextNs - rec.relNow()) / 1e6;
      if (waitMs > 0) await sleep(waitMs);
      if (!active) break;
      post(port, { type: "interval", snapshot: rec.snapshot(index) });
      index++;
    }
  })();
  return {
    stop() {
      active = false;
      post(port, { type: "interval", snapshot: rec.snapshot(index, true) });
    },
  };
}
