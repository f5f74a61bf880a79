/**
 * Profile -> Plan: every publisher, consumer and responder instance, which thread and connection runs it,
 * and which consumers share the work of which publishers (for loss accounting).
 */

import type { ConsumerSpec, Profile, PublisherSpec } from "../contract/profile.js";
import { inboxPrefixOf } from "../profile/connection.js";
import { publisherSubject, subjectMatches } from "../profile/subjects.js";
import { opTasks, watcherTasks } from "./plan-ops.js";
import type { ClientTask } from "./protocol.js";

/** Consumers that together should receive each covered publisher's messages once. */
export interface ConsumerGroup {
  name: string;
  consumerIds: number[];
  publisherIds: number[];
  /** Consume only: the messages waiting for this group when the run starts (set by backlog.ts). */
  backlog?: number;
}

/** A durable JetStream consumer the coordinator creates before the run. */
export interface DurableConsumer {
  name: string;
  spec: ConsumerSpec;
  /** Push consumers deliver here. */
  deliverSubject?: string;
}

export interface Plan {
  threads: Array<{ thread: number; clients: ClientTask[] }>;
  clients: ClientTask[];
  publisherCount: number;
  groups: ConsumerGroup[];
  durables: DurableConsumer[];
}

export function covers(consumer: ConsumerSpec, publisher: PublisherSpec): boolean {
  // Requests are answered, not consumed; a publisher with timing off sends nothing a consumer can identify.
  if (publisher.mode === "request" || publisher.timing === "off") return false;
  const subject = publisherSubject(publisher.subject, publisher.spread, 0);
  if (consumer.kind === "core" || consumer.kind === "queue")
    return subjectMatches(consumer.subject!, subject);
  return (
    publisher.mode === "jetstream" &&
    (consumer.subject === undefined || subjectMatches(consumer.subject, subject))
  );
}

export function buildPlan(profile: Profile, runId: string, threadCount = profile.workers ?? 1): Plan {
  const clients: ClientTask[] = [];
  const groups: ConsumerGroup[] = [];
  const durables: DurableConsumer[] = [];
  let slot = 0;

  // Publisher ids come first so consumers can index their received-bitmaps by them.
  const publisherTasks: ClientTask[] = [];
  const publisherEntry: PublisherSpec[] = [];
  const totalPublishers = profile.publishers.reduce((n, p) => n + p.count, 0);
  let publisherId = 0;
  for (const spec of profile.publishers) {
    for (let k = 0; k < spec.count; k++) {
      const ratePerSec = spec.ratePerSec === "max" ? "max" : spec.ratePerSec / spec.count;
      // Instances of one entry interleave their schedules: instance k sends k/R after instance 0.
      const offsetNs = spec.ratePerSec === "max" ? 0 : Math.round((k * 1e9) / spec.ratePerSec);
      const quota =
        profile.messages === undefined
          ? undefined
          : Math.floor(profile.messages / totalPublishers) +
            (publisherId < profile.messages % totalPublishers ? 1 : 0);
      publisherTasks.push({
        role: "publisher",
        id: publisherId,
        slot: -1,
        spec,
        ratePerSec,
        offsetNs,
        quota,
        connection: 0,
        ...(profile.faults && spec.mode === "jetstream" && { keepStreamSeqs: true }),
      });
      publisherEntry.push(spec);
      publisherId++;
    }
  }

  let consumerId = 0;
  const consumerTasks: ClientTask[] = [];
  profile.consumers.forEach((spec, entry) => {
    const covered = publisherEntry.flatMap((p, id) => (covers(spec, p) ? [id] : []));
    const shared = spec.kind === "queue" || spec.kind === "pull" || spec.kind === "push";
    let durable: string | undefined;
    if (spec.kind === "pull" || spec.kind === "push") {
      durable = `benchline-${runId}-c${entry}`;
      durables.push({
        name: durable,
        spec,
        // Under the inbox prefix: the one subscribe grant (`<prefix>.>`) covers every subject benchline makes up.
        deliverSubject:
          spec.kind === "push"
            ? `${inboxPrefixOf(profile.connection)}.benchline.${runId}.c${entry}`
            : undefined,
      });
    }
    let group: ConsumerGroup | undefined;
    for (let k = 0; k < spec.count; k++) {
      if (!group || !shared) {
        group = { name: shared ? spec.name : `${spec.name}#${k}`, consumerIds: [], publisherIds: covered };
        groups.push(group);
      }
      group.consumerIds.push(consumerId);
      consumerTasks.push({
        role: "consumer",
        id: consumerId++,
        slot: -1,
        spec,
        durable,
        group: groups.length - 1,
        connection: 0,
        ...(covered.some((id) => publisherEntry[id]!.timing === "header") && { timingHeader: true }),
        ...(profile.publishers.every((p) => p.timing === "off") && { anyPayload: true }),
        ...(profile.publishers.length === 0 && { consumeOnly: true }),
      });
    }
  });

  const responderTasks: ClientTask[] = profile.responders.flatMap((spec, entry) =>
    Array.from({ length: spec.count }, (_, k) => ({
      role: "responder" as const,
      id: entry * 10_000 + k,
      slot: -1,
      spec,
      connection: 0,
    })),
  );

  // Receivers first so that every thread gets its share of them before the publishers.
  for (const task of [
    ...consumerTasks,
    ...responderTasks,
    ...watcherTasks(profile),
    ...publisherTasks,
    ...opTasks(profile),
  ]) {
    task.slot = slot++;
    clients.push(task);
  }
  const threads = Array.from({ length: Math.max(1, Math.min(threadCount, clients.length)) }, (_, thread) => ({
    thread,
    clients: [] as ClientTask[],
  }));
  clients.forEach((task, i) => {
    const t = threads[i % threads.length]!;
    task.connection = t.clients.length % profile.connectionsPerWorker;
    t.clients.push(task);
  });
  return { threads, clients, publisherCount: totalPublishers, groups, durables };
}
