/** The parts of Alertmanager's v2 API a drill reads: /api/v2/status and /api/v2/alerts. Read only: no silences. */
import { RuntimeFailure } from "../errors.js";
import { getJson } from "./prometheus-api.js";
import type { AmAlert } from "./watch.js";

interface AmWireAlert {
  labels: Record<string, string>;
  receivers?: Array<{ name: string }>;
  status?: { state?: string; silencedBy?: string[]; inhibitedBy?: string[] };
}

/** Refuses (exit 3, one line) an Alertmanager that does not answer; returns its version. */
export async function checkAlertmanager(base: string): Promise<string> {
  const body = (await getJson(base, "api/v2/status", "Alertmanager")) as {
    versionInfo?: { version?: string };
  };
  if (typeof body !== "object" || body === null)
    throw new RuntimeFailure(`Alertmanager at ${base} answered no status`);
  return body.versionInfo?.version ?? "unknown";
}

/** Every alert Alertmanager holds, silenced and inhibited ones included. */
export async function alertmanagerAlerts(base: string): Promise<AmAlert[]> {
  const body = (await getJson(base, "api/v2/alerts", "Alertmanager")) as AmWireAlert[];
  if (!Array.isArray(body)) throw new RuntimeFailure(`Alertmanager at ${base}: /api/v2/alerts is not a list`);
  return body.map(parseAmAlert);
}

export function parseAmAlert(a: AmWireAlert): AmAlert {
  return {
    name: a.labels?.alertname ?? "",
    state: a.status?.state ?? "unknown",
    receivers: (a.receivers ?? []).map((r) => r.name),
    silenced: (a.status?.silencedBy ?? []).length > 0,
    inhibited: (a.status?.inhibitedBy ?? []).length > 0,
  };
}
