/** The parts of Prometheus' HTTP API a drill reads: /api/v1/alerts, /api/v1/rules, buildinfo. Read only. */
import { RuntimeFailure } from "../errors.js";
import type { PromAlert } from "./watch.js";

/** An alerting rule as /api/v1/rules lists it. */
export interface PromAlertRule {
  name: string;
  query: string;
  /** `for:` in seconds. */
  forS: number;
}

const TIMEOUT_MS = 3000;

/** GET base + path as JSON; one line naming `what` and the URL on any failure. */
export async function getJson(base: string, path: string, what: string): Promise<unknown> {
  const url = new URL(path, base.endsWith("/") ? base : `${base}/`).toString();
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new RuntimeFailure(`${what} unreachable at ${url}: ${cause}`, { cause: err });
  }
  if (!res.ok) throw new RuntimeFailure(`${what} at ${url} answered HTTP ${res.status}`);
  try {
    return await res.json();
  } catch (err) {
    throw new RuntimeFailure(`${what} at ${url} did not answer JSON`, { cause: err });
  }
}

interface PromEnvelope<T> {
  status: string;
  data: T;
}

async function promData<T>(base: string, path: string): Promise<T> {
  const body = (await getJson(base, path, "Prometheus")) as PromEnvelope<T>;
  if (body?.status !== "success")
    throw new RuntimeFailure(`Prometheus ${path} answered status ${body?.status}`);
  return body.data;
}

/** Refuses (exit 3, one line) a Prometheus that does not answer. */
export async function checkPrometheus(base: string): Promise<string> {
  const info = await promData<{ version?: string }>(base, "api/v1/status/buildinfo");
  return info.version ?? "unknown";
}

export async function prometheusAlerts(base: string): Promise<PromAlert[]> {
  const data = await promData<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>(
    base,
    "api/v1/alerts",
  );
  return data.alerts.flatMap((a) =>
    a.state === "pending" || a.state === "firing"
      ? [{ name: a.labels.alertname ?? "", state: a.state, labels: a.labels }]
      : [],
  );
}

export async function prometheusAlertRules(base: string): Promise<PromAlertRule[]> {
  const data = await promData<{
    groups: Array<{ rules: Array<{ type: string; name: string; query: string; duration?: number }> }>;
  }>(base, "api/v1/rules?type=alert");
  return data.groups.flatMap((g) =>
    g.rules
      .filter((r) => r.type === "alerting")
      .map((r) => ({ name: r.name, query: r.query, forS: r.duration ?? 0 })),
  );
}
