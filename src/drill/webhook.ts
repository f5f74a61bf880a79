/**
 * `--webhook-port`: a receiver for Alertmanager's webhook notifications (webhook_config, payload version
 * 4), so that a drill times delivery end to end. The parser is pure and pinned by fixtures.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RuntimeFailure, UsageError } from "../errors.js";
import type { NotifiedAlert } from "./watch.js";

/** One notification: which receiver it was sent for, and its alerts. */
export interface WebhookNotification {
  receiver: string;
  status: "firing" | "resolved";
  alerts: NotifiedAlert[];
}

/** Alertmanager's webhook JSON to a notification; throws on anything else. */
export function parseWebhook(body: unknown): WebhookNotification {
  const b = body as {
    receiver?: unknown;
    status?: unknown;
    alerts?: Array<{ status?: unknown; labels?: Record<string, string> }>;
  };
  if (typeof b !== "object" || b === null || !Array.isArray(b.alerts) || typeof b.receiver !== "string")
    throw new Error("not an Alertmanager webhook payload (needs receiver and alerts)");
  const status = (s: unknown): "firing" | "resolved" => {
    if (s !== "firing" && s !== "resolved")
      throw new Error(`alert status ${String(s)} is not firing or resolved`);
    return s;
  };
  return {
    receiver: b.receiver,
    status: status(b.status),
    alerts: b.alerts.map((a) => ({ name: a.labels?.alertname ?? "", status: status(a.status) })),
  };
}

export interface WebhookReceiver {
  /** http://127.0.0.1:port/ , for an Alertmanager webhook_configs url. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the receiver; every notification, on arrival, goes to `onNotification`. Bad bodies get a 400. */
export async function serveWebhook(
  port: number,
  onNotification: (n: WebhookNotification) => void,
  host = "0.0.0.0",
): Promise<WebhookReceiver> {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(
      `--webhook-port ${port}: a TCP port is a whole number from 0 (any free port) to 65535`,
    );
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405).end("POST Alertmanager webhook notifications here\n");
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        onNotification(parseWebhook(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
        res.writeHead(200).end();
      } catch (err) {
        res.writeHead(400).end(`${(err as Error).message}\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new UsageError(`--webhook-port ${port} is in use; pick another port, or 0 for any free one`)
          : new RuntimeFailure(`cannot serve the webhook on port ${port}: ${err.code ?? err.message}`),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
