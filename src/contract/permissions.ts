/** The permission vocabulary every layer shares: what a run needs and what the server refused. */

export type Operation = "publish" | "subscribe";

/** One subject the server refused during a run, how often, and what to grant. */
export interface PermissionRefusal {
  operation: Operation;
  /** The refused subject, or the grant's wildcard when benchline makes up many like it (inboxes, acks). */
  subject: string;
  count: number;
  grant: string;
}

/** 12000 publishes to "$JS.ACK.>" (grant publish "$JS.ACK.>") */
export function describeRefusal(r: PermissionRefusal): string {
  // A publish into the inboxes is a responder's reply: nats-server's allow_responses grants exactly that.
  if (r.operation === "publish" && r.subject.endsWith(".>") && !r.subject.startsWith("$"))
    return `${r.count} replies to "${r.subject}" (grant publish "${r.grant}", or allow_responses: true)`;
  const what = r.operation === "publish" ? "publishes" : "subscriptions";
  return `${r.count} ${what} to "${r.subject}" (grant ${r.operation} "${r.grant}")`;
}
