/**
 * Who leads, and asking a leader to step down: the JetStream API subjects and wire names for both,
 * in one adapter. Meta stepdown is a system account request; the others are the account's own.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { MonitorClient } from "../server/monitor.js";

export interface ClusterApi {
  leader(of: "stream" | "consumer" | "meta"): Promise<string | undefined>;
  stepdown(of: "stream" | "consumer" | "meta"): Promise<void>;
}

export function clusterApi(options: {
  nc: NatsConnection;
  jsm: JetStreamManager;
  stream?: string;
  durable?: string;
  /** Monitoring URLs to read the meta leader from (/jsz); the first that answers is used. */
  monitorUrls: string[];
  /** A connection as a system account user, for the meta stepdown; absent where benchline has none. */
  system?: () => Promise<NatsConnection>;
}): ClusterApi {
  const { nc, jsm, stream, durable } = options;
  const api = async (connection: NatsConnection, subject: string): Promise<void> => {
    const reply = await connection.request(subject, undefined, { timeout: 10_000 });
    const body = reply.json<{ success?: boolean; error?: { code: number; description: string } }>();
    if (body.error) throw new Error(`${subject}: ${body.error.description} (${body.error.code})`);
  };
  return {
    async leader(of) {
      if (of === "stream") return (await jsm.streams.info(stream!)).cluster?.leader || undefined;
      if (of === "consumer")
        return (await jsm.consumers.info(stream!, durable!)).cluster?.leader || undefined;
      for (const url of options.monitorUrls) {
        const jsz = await new MonitorClient(url).jsz().catch(() => undefined);
        if (jsz?.metaLeader) return jsz.metaLeader;
      }
      return undefined;
    },
    async stepdown(of) {
      if (of === "stream") return api(nc, `$JS.API.STREAM.LEADER.STEPDOWN.${stream}`);
      if (of === "consumer") return api(nc, `$JS.API.CONSUMER.LEADER.STEPDOWN.${stream}.${durable}`);
      if (!options.system)
        throw new Error(
          "a meta leader steps down only at a system account user's request; benchline has none for these servers",
        );
      const sys = await options.system();
      try {
        await api(sys, "$JS.API.META.LEADER.STEPDOWN");
      } finally {
        await sys.close().catch(() => {});
      }
    },
  };
}
