/** A responder for request/reply loads: echoes each request so the send time comes back. */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { type ClientResult, type ClientTask, emptyResult } from "../src/engine/protocol.js";

type ResponderTask = Extract<ClientTask, { role: "responder" }>;

export class Responder {
  private sub: Subscription | undefined;
  private readonly result: ClientResult;

  constructor(
    private readonly task: ResponderTask,
    private readonly nc: NatsConnection,
  ) {
    this.result = emptyResult(task.id, "responder");
  }

  prepare(): void {
    this.sub = this.nc.subscribe(this.task.spec.subject, {
      queue: this.task.spec.queue,
      callback: (err, msg) => {
        // A refused subscription calls back with an error and no message; the thread names the refusal.
        if (err) return;
        msg.respond(msg.data);
        this.result.consumed++;
        this.result.consumedBytes += msg.data.length;
      },
    });
  }

  stop(): ClientResult {
    try {
      this.sub?.unsubscribe();
    } catch {
      // connection already closed
    }
    return this.result;
  }
}
