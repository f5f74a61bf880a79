/**
 * The client side of the NATS micro services protocol ($SRV): every instance of a service answers
 * $SRV.INFO[.<name>] with its name, id, version and endpoints (name, subject, queue group). benchline
 * lists them and drives an endpoint's subject with requests; replies with a Nats-Service-Error-Code
 * header are the service's errors.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { RuntimeFailure } from "../errors.js";

/** One endpoint of a service, as $SRV.INFO states it. */
export interface ServiceEndpoint {
  name: string;
  subject: string;
  queueGroup?: string;
}

/** One running instance of a service. */
export interface ServiceInstance {
  name: string;
  id: string;
  version: string;
  description?: string;
  endpoints: ServiceEndpoint[];
}

/** The header a micro service sets on an error reply, with its code. */
export const SERVICE_ERROR_CODE_HEADER = "Nats-Service-Error-Code";

/** How long to collect answers from every instance. */
const DISCOVERY_WAIT_MS = 1000;

interface InfoWire {
  name: string;
  id: string;
  version: string;
  description?: string;
  endpoints?: Array<{ name: string; subject: string; queue_group?: string }>;
}

/** Every JSON answer to a $SRV request (PING, INFO, STATS, of one service when named) within a second. */
export async function collectServiceReplies<T>(nc: NatsConnection, subject: string): Promise<T[]> {
  const replies = await nc.requestMany(subject, "", { maxWait: DISCOVERY_WAIT_MS, strategy: "timer" });
  const found: T[] = [];
  try {
    for await (const m of replies) {
      if (m.data.length === 0) continue;
      try {
        found.push(m.json<T>());
      } catch {
        // Not a service's answer: skip it.
      }
    }
  } catch (err) {
    // No service listening: the request finds no responders.
    if (!/no responders/i.test((err as Error).message) && (err as Error).name !== "NoRespondersError")
      throw err;
  }
  return found;
}

/** Every instance that answers $SRV.INFO (of one service when named) within a second. */
export async function discoverServices(nc: NatsConnection, name?: string): Promise<ServiceInstance[]> {
  const infos = await collectServiceReplies<InfoWire>(nc, name ? `$SRV.INFO.${name}` : "$SRV.INFO");
  return infos
    .map((info) => ({
      name: info.name,
      id: info.id,
      version: info.version,
      ...(info.description && { description: info.description }),
      endpoints: (info.endpoints ?? []).map((e) => ({
        name: e.name,
        subject: e.subject,
        ...(e.queue_group && { queueGroup: e.queue_group }),
      })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** The subject of a service's endpoint; a one-line error naming what exists when it is not there. */
export async function findEndpoint(
  nc: NatsConnection,
  service: string,
  endpoint: string,
  where: string,
): Promise<string> {
  const instances = await discoverServices(nc, service);
  if (instances.length === 0)
    throw new RuntimeFailure(
      `${where}: no instance of service ${service} answered $SRV.INFO.${service} (no responders): start the service, or name one that \`benchline services\` lists`,
    );
  const e = instances.flatMap((i) => i.endpoints).find((x) => x.name === endpoint);
  if (!e) {
    const names = [...new Set(instances.flatMap((i) => i.endpoints.map((x) => x.name)))];
    throw new RuntimeFailure(
      `${where}: service ${service} has no endpoint ${endpoint}; it has ${names.join(", ") || "none"}`,
    );
  }
  return e.subject;
}
