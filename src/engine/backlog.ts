/**
 * A consume-only run drains what is already there: each JetStream consumer group's backlog is read from
 * the server before the start (a durable's pending count, or for an ordered consumer the messages its
 * filter matches), so the run can end when it is consumed and say how long that took.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { Plan } from "./plan.js";

export async function measureBacklogs(jsm: JetStreamManager, stream: string, plan: Plan): Promise<void> {
  if (plan.publisherCount > 0) return;
  for (const group of plan.groups) {
    const task = plan.clients.find((c) => c.role === "consumer" && c.id === group.consumerIds[0]);
    if (task?.role !== "consumer") continue;
    if (task.durable) {
      const info = await jsm.consumers.info(stream, task.durable);
      group.backlog = info.num_pending + info.num_ack_pending;
    } else if (task.spec.kind === "ordered" && task.spec.deliver === "all") {
      const filter = task.spec.subject;
      const info = await jsm.streams.info(stream, filter ? { subjects_filter: filter } : undefined);
      group.backlog = filter
        ? Object.values(info.state.subjects ?? {}).reduce((n, v) => n + v, 0)
        : info.state.messages;
    }
  }
}

/** Every group with a backlog has consumed it (groups without one do not count). */
export function backlogsDrained(plan: Plan, consumedOf: (consumerId: number) => number): boolean {
  const groups = plan.groups.filter((g) => g.backlog !== undefined);
  return (
    groups.length > 0 &&
    groups.every((g) => g.consumerIds.reduce((n, id) => n + consumedOf(id), 0) >= g.backlog!)
  );
}
