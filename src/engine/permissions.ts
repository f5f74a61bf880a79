/**
 * The permissions a run needs, checked with the user's own credentials before any load starts, and the
 * grant that each refusal asks for. The subjects are the table in docs/your-deployment.md; a
 * test keeps the two in step.
 *
 * NATS has no "may I?" request, so each permission is probed: a subscription made and dropped, a
 * publish sent. A probe publish carries `Nats-Expected-Stream` naming a stream that does not exist, so
 * JetStream refuses to store it wherever it lands, and has no payload and no reply subject, so no service
 * answers it. The server refuses a subject it does not permit with `-ERR 'Permissions Violation ...'`
 * before the PONG of the flush that follows, which is how the refusals are read back.
 */
import { createInbox, headers, type NatsConnection } from "@nats-io/transport-node";
import type { Operation, PermissionRefusal } from "../contract/permissions.js";
import type { Profile } from "../contract/profile.js";
import { RuntimeFailure } from "../errors.js";
import { inboxPrefixOf } from "../profile/connection.js";
import { publisherSubject } from "../profile/subjects.js";
import type { Plan } from "./plan.js";

/** One permission a run needs: the subject probed, the grant that covers every subject like it, why. */
export interface Permission {
  operation: Operation;
  /** A concrete subject the probe uses. */
  probe: string;
  queue?: string;
  /** What to grant: the subject or the wildcard covering all that benchline makes of it. */
  grant: string;
  why: string;
}

/** The stream name a probe's publish expects: none has it, so JetStream stores nothing. */
export const PROBE_STREAM = "benchline-permission-probe";
const PROBE_CONSUMER = "benchline-permission-probe";
/** Spread subjects probed per publisher: enough to catch a grant that covers only some. */
const SPREAD_PROBES = 4;

/** Every permission the profile's load needs on these connections (the tenant's, for a tenant). */
export function requiredPermissions(profile: Profile, plan: Plan): Permission[] {
  const inbox = inboxPrefixOf(profile.connection);
  const needs: Permission[] = [
    {
      operation: "subscribe",
      probe: `${createInbox(inbox)}.probe`,
      grant: `${inbox}.>`,
      why: "replies, PubAcks and deliveries come to inboxes under --inbox-prefix",
    },
  ];
  const add = (operation: Operation, probe: string, grant: string, why: string, queue?: string) => {
    if (!needs.some((n) => n.operation === operation && n.probe === probe && n.queue === queue))
      needs.push({ operation, probe, grant, why, ...(queue && { queue }) });
  };
  const jetstream =
    profile.stream !== undefined ||
    plan.durables.length > 0 ||
    profile.kv !== undefined ||
    profile.objects !== undefined ||
    profile.direct !== undefined ||
    profile.faults !== undefined;
  if (jetstream) add("publish", "$JS.API.INFO", "$JS.API.>", "JetStream API requests");
  // A probe on a load subject reaches the user's own core subscribers there (one empty message), so it
  // is sent only where permissions can exist: a connection that authenticates as a user.
  const loadProbes = profile.auth !== undefined;
  for (const p of loadProbes ? profile.publishers : []) {
    if (p.service) {
      add("publish", "$SRV.INFO", "$SRV.>", `service ${p.service.name} is found through $SRV.INFO`);
      continue;
    }
    const spread = Math.min(p.spread, SPREAD_PROBES);
    for (let i = 0; i < spread; i++) {
      const subject = publisherSubject(p.subject, p.spread, i);
      add("publish", subject, p.spread > 1 ? p.subject : subject, `publisher ${p.name}`);
    }
  }
  for (const c of profile.consumers) {
    if ((c.kind === "core" || c.kind === "queue") && c.subject)
      add("subscribe", c.subject, c.subject, `${c.kind} consumer`, c.queue);
  }
  for (const r of profile.responders) add("subscribe", r.subject, r.subject, "responder", r.queue);
  const stream = profile.stream?.name;
  if (stream && plan.durables.length > 0) {
    add("publish", `$JS.ACK.${stream}.${PROBE_CONSUMER}.1.1.1.0.0`, "$JS.ACK.>", "consumer acks");
    add("publish", `$JS.API.CONSUMER.MSG.NEXT.${stream}.${PROBE_CONSUMER}`, "$JS.API.>", "pull requests");
  }
  if (profile.kv)
    add("publish", `$KV.${profile.kv.bucket.name}.probe`, `$KV.${profile.kv.bucket.name}.>`, "KV puts");
  if (profile.objects) {
    const bucket = profile.objects.bucket.name;
    add("publish", `$O.${bucket}.C.probe`, `$O.${bucket}.>`, "Object Store chunks");
  }
  if (profile.direct && stream) add("publish", `$JS.API.DIRECT.GET.${stream}`, "$JS.API.>", "direct gets");
  return needs;
}

/**
 * Probes every permission on `nc` and throws one line naming the first refused subject and the grant
 * (exit 3) when any is missing. Returns when all are there.
 */
export async function checkPermissions(nc: NatsConnection, needs: Permission[], who: string): Promise<void> {
  const refused: Array<{ operation: string; subject: string }> = [];
  const watching = (async () => {
    for await (const s of nc.status()) {
      if (s.type === "error" && s.error.name === "PermissionViolationError") {
        const e = s.error as Error & { operation?: string; subject?: string };
        refused.push({ operation: e.operation ?? "publish", subject: e.subject ?? "" });
      }
    }
  })();
  const h = headers();
  h.set("Nats-Expected-Stream", PROBE_STREAM);
  h.set("Benchline-Probe", "permissions");
  for (const need of needs) {
    if (need.operation === "subscribe") {
      const sub = nc.subscribe(need.probe, { ...(need.queue && { queue: need.queue }), callback: () => {} });
      sub.unsubscribe();
    } else {
      nc.publish(need.probe, undefined, { headers: h });
    }
  }
  await nc.flush();
  // The -ERR lines came before the PONG; the status iterator hands them over a turn later.
  await new Promise((resolve) => setTimeout(resolve, 20));
  void watching;
  const first = needs.find((n) =>
    refused.some(
      (r) =>
        (r.operation === "subscription" ? "subscribe" : "publish") === n.operation && r.subject === n.probe,
    ),
  );
  if (first)
    throw new RuntimeFailure(
      `${who} may not ${first.operation} to "${first.probe}" (${first.why}); grant ${first.operation} "${first.grant}" to ${who === "the user" ? "that user" : who} (a deny rule that matches it wins over any grant)${first.grant.endsWith(".>") && first.operation === "subscribe" ? ", or set --inbox-prefix to a prefix it may subscribe to" : ""}`,
    );
}

/**
 * Where a refusal seen during a run belongs: benchline's made-up subjects (inboxes, acks) fold into the
 * grant that covers them, so a refused ack stream reads as one line, not one per message.
 */
export function refusalOf(
  operation: Operation,
  subject: string,
  inboxPrefix: string,
): Omit<PermissionRefusal, "count"> {
  if (subject.startsWith(`${inboxPrefix}.`))
    return { operation, subject: `${inboxPrefix}.>`, grant: `${inboxPrefix}.>` };
  if (subject.startsWith("$JS.ACK.")) return { operation, subject: "$JS.ACK.>", grant: "$JS.ACK.>" };
  if (subject.startsWith("$JS.API.")) return { operation, subject, grant: "$JS.API.>" };
  return { operation, subject, grant: subject };
}

/** Refusals of several threads (or agents, or tenants) as one list, the most frequent first. */
export function mergeRefusals(parts: Array<PermissionRefusal[] | undefined>): PermissionRefusal[] {
  const byKey = new Map<string, PermissionRefusal>();
  for (const list of parts)
    for (const r of list ?? []) {
      const key = `${r.operation} ${r.subject}`;
      const had = byKey.get(key);
      if (had) had.count += r.count;
      else byKey.set(key, { ...r });
    }
  return [...byKey.values()].sort((a, b) => b.count - a.count);
}

/**
 * A refusal nats.js raised as an error (a request whose publish or reply inbox the user may not use),
 * as the one line a run's check gives; undefined for any other error.
 */
export function permissionFailure(err: unknown, inboxPrefix: string): RuntimeFailure | undefined {
  const m = /Permissions Violation for (Publish|Subscription) to "([^"]+)"/i.exec(
    String((err as Error)?.message),
  );
  if (!m) return undefined;
  const operation: Operation = m[1]!.toLowerCase() === "publish" ? "publish" : "subscribe";
  const { grant } = refusalOf(operation, m[2]!, inboxPrefix);
  return new RuntimeFailure(
    `the user may not ${operation} to "${m[2]}"; grant ${operation} "${grant}" to that user${operation === "subscribe" && grant === `${inboxPrefix}.>` ? ", or set --inbox-prefix to a prefix it may subscribe to" : ""}`,
    { cause: err },
  );
}
