/**
 * The Prometheus series an SLO's queries and alerts read. One place, so the exporters agree with each
 * other (and with a /metrics endpoint that serves them).
 */
import { UsageError } from "../errors.js";

const SNAKE: Record<string, string> = {
  pubAck: "pub_ack",
  pubAckRaw: "pub_ack_raw",
  sendLag: "send_lag",
  e2e: "e2e",
  request: "request",
  ack: "ack",
  kvGet: "kv_get",
  kvPut: "kv_put",
  kvUpdate: "kv_update",
  kvDelete: "kv_delete",
  kvWatch: "kv_watch",
  objPut: "obj_put",
  objGet: "obj_get",
  directGet: "direct_get",
};

/** A latency kind as Prometheus names spell it: pubAck -> pub_ack. */
export function snakeKind(kind: string): string {
  return SNAKE[kind] ?? kind;
}

export interface SeriesNames {
  latencyBucket(kind: string): string;
  published: string;
  publishErrors: string;
  /** `{a="b",c="d"}` or "" */
  selector: string;
  /** The selector's label pairs, without braces, for adding more. */
  labels: string;
}

/** `service=orders,env="prod"` -> `service="orders",env="prod"`; one line error for anything else. */
export function parseLabels(text: string | undefined): string {
  if (!text) return "";
  return text
    .split(",")
    .map((pair) => {
      const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"?([^"]*)"?\s*$/.exec(pair);
      if (!m)
        throw new UsageError(
          `--labels ${text}: write name=value pairs separated by commas, e.g. service=orders,env=prod`,
        );
      return `${m[1]}="${m[2]}"`;
    })
    .join(",");
}

export function seriesNames(prefix: string, labels: string): SeriesNames {
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw new UsageError(`--metric-prefix ${prefix}: a Prometheus metric name has letters, digits, _ and :`);
  }
  return {
    latencyBucket: (kind) => `${prefix}_${snakeKind(kind)}_latency_seconds_bucket`,
    published: `${prefix}_published_total`,
    publishErrors: `${prefix}_publish_errors_total`,
    selector: labels ? `{${labels}}` : "",
    labels,
  };
}

/** `p99` -> 0.99, `p999` -> 0.999 */
export function quantileOf(stat: string): number {
  const digits = stat.slice(1);
  return Number(`0.${digits}`);
}
