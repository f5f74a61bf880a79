/**
 * A publisher in request mode: each message is a core request; its reply (or its failure) records the
 * round trip from the intended send time. A micro service's endpoint answers an error with a status
 * header, which counts as `serviceError:<code>`; a request that fails counts under failureKind's word.
 */
import type { Msg, MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { SERVICE_ERROR_CODE_HEADER } from "../src/engine/services.js";
import { failureKind } from "./failure-kind.js";
import type { ThreadRecorder } from "./recorder.js";

/** What the replies tell their publisher. */
export interface ReplyOwner {
  /** Own sequence `seq` was answered (its latency is recorded). */
  acked(seq: number, measured: boolean): void;
  /** A request failed (its kind is counted): room in the window. */
  release(): void;
  /** Counts an error of this publisher's kind. */
  countError(kind: string): void;
}

export class RequestReplies {
  constructor(
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    private readonly owner: ReplyOwner,
    private readonly timeoutMs: number,
    /** A service endpoint's name: its latency is kept under that name too. */
    private readonly serviceName: string | undefined,
  ) {}

  /** Sends own sequence `seq` as a request. */
  send(
    subject: string,
    payload: Uint8Array,
    headers: MsgHdrs | undefined,
    seq: number,
    intendedRel: number,
    measured: boolean,
  ): void {
    this.nc.request(subject, payload, { timeout: this.timeoutMs, headers }).then(
      (reply) => this.onReply(seq, intendedRel, measured, reply),
      (err: unknown) => this.onError(err, intendedRel),
    );
  }

  private onReply(seq: number, intendedRel: number, measured: boolean, reply: Msg): void {
    const now = this.rec.relNow();
    // A micro service answers an error with a status header; a reply nonetheless, but not a success.
    const serviceError = reply.headers?.get(SERVICE_ERROR_CODE_HEADER);
    if (serviceError) {
      this.owner.countError(`serviceError:${serviceError}`);
      this.rec.recordIntended("request", (now - intendedRel) / 1000, intendedRel, true);
      this.owner.release();
      return;
    }
    // Open loop: from the intended send time. Closed loop: intended equals the actual send.
    this.rec.record("request", (now - intendedRel) / 1000, measured);
    this.rec.recordIntended("request", (now - intendedRel) / 1000, intendedRel);
    this.rec.publishes.record(now);
    if (this.serviceName !== undefined)
      this.rec.recordNamed(this.serviceName, (now - intendedRel) / 1000, measured);
    this.owner.acked(seq, measured);
  }

  private onError(err: unknown, intendedRel: number): void {
    this.rec.recordIntended("request", (this.rec.relNow() - intendedRel) / 1000, intendedRel, true);
    this.owner.countError(failureKind(err));
    this.owner.release();
  }
}
