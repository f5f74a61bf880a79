/**
 * `--metrics-port N`: serves /metrics while run, compare or capacity goes. Fed by the run events: the
 * phase from the progress ticks, counts, errors and latency from each thread's per-second snapshot.
 * Counts and histograms alike take every second, warmup and drain included (the phase gauge tells them
 * apart), and every series exists from the start; the final figures (textfile.ts) differ: see MetricsScope.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LatencyKind } from "../../contract/latency.js";
import type { RunEvents } from "../../engine/run.js";
import { RuntimeFailure, UsageError } from "../../errors.js";
import { decodeHistogram } from "../../metrics/histogram.js";
import type { BenchlineMetrics } from "./metrics.js";

export interface MetricsEndpoint {
  metrics: BenchlineMetrics;
  /** http://host:port/metrics */
  url: string;
  /** Run events that keep the metrics current; combine with the progress display's. */
  events: RunEvents;
  close(): Promise<void>;
}

function checkMetricsPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(
      `--metrics-port ${port}: a TCP port is a whole number from 0 (any free port) to 65535`,
    );
}

/** `latencyKinds`: those the profile produces, shown at zero before the first sample arrives. */
export async function serveMetrics(
  port: number,
  profile: string,
  latencyKinds: Iterable<LatencyKind>,
  faults: Array<{ name: string; kind: string }> = [],
): Promise<MetricsEndpoint> {
  checkMetricsPort(port);
  // prom-client with it: loaded when a run serves metrics, not on every start.
  const { BenchlineMetrics } = await import("./metrics.js");
  const metrics = new BenchlineMetrics(profile, { scope: "live", latencyKinds });
  // Every fault has a series from the start, at 0, so a dashboard shows its window when it comes.
  for (const f of faults) metrics.setFault(f.name, f.kind, false);
  const kindOf = new Map(faults.map((f) => [f.name, f.kind]));
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("benchline serves /metrics only\n");
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new UsageError(`--metrics-port ${port} is in use; pick another port, or 0 for any free one`)
          : new RuntimeFailure(`cannot serve metrics on port ${port}: ${err.code ?? err.message}`),
      ),
    );
    server.listen(port, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const events: RunEvents = {
    onTick(tick) {
      metrics.setPhase(tick.phase);
    },
    onFault(name, state) {
      metrics.setFault(name, kindOf.get(name) ?? "unknown", state === "start");
    },
    onInterval(snapshot) {
      metrics.addCounts(snapshot.published, snapshot.consumed);
      metrics.addErrors(snapshot.errorKinds);
      for (const [kind, encoded] of Object.entries(snapshot.histograms) as Array<[LatencyKind, string]>) {
        const h = decodeHistogram(encoded);
        metrics.addLatency(kind, h);
        h.destroy();
      }
    },
  };
  return {
    metrics,
    url: `http://localhost:${address.port}/metrics`,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        metrics.setPhase("done");
        server.closeAllConnections();
        server.close(() => resolve());
        metrics.destroy();
      }),
  };
}
