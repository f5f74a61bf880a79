/**
 * What a publisher's message is and how it goes on the wire: its subject (spread, or a service's
 * endpoint), its payload (benchline's own, carrying the intended send time, or a shaped one from the
 * profile), its headers (constants, templates, Nats-Msg-Id, the timing header), and the way out: whole
 * PUB frames into a burst's batch where nothing needs nats.js, nats.js's publish where something does.
 */
import { type MsgHdrs, headers as makeHeaders, type NatsConnection } from "@nats-io/transport-node";
import { TIMING_HEADER } from "../src/contract/payload.js";
import type { ClientTask } from "../src/engine/protocol.js";
import { findEndpoint } from "../src/engine/services.js";
import { publisherSubject } from "../src/profile/subjects.js";
import { type CompiledTemplate, compileTemplate, isTemplate } from "../src/profile/template.js";
import { FrameBatch } from "./frame-batch.js";
import { FramePublisher } from "./frames.js";
import { PayloadFactory } from "./payload.js";
import { ShapedPayloads, timingHeaderValue } from "./shaped-payload.js";

type PublisherTask = Extract<ClientTask, { role: "publisher" }>;

export class MessageShaper {
  private readonly spec: PublisherTask["spec"];
  private readonly payloads: PayloadFactory;
  private readonly shaped: ShapedPayloads | undefined;
  /** Header values: constants, or templates rendered per message. */
  private readonly headerValues: Array<[string, string | CompiledTemplate]>;
  private subjects: string[];
  /** The subjects and the PubAck inbox as bytes, encoded once for the frame writer. */
  private subjectBytes: Uint8Array[] = [];
  private inbox = "";
  private inboxBytes: Uint8Array | undefined;
  private readonly frames: FramePublisher;
  /** Whole frames a burst at a time (undefined where nats.js lacks what it writes to). */
  private readonly batch: FrameBatch | undefined;
  /** Whether a message without headers may go as a whole frame into the batch. */
  private readonly mayFrame: boolean;

  constructor(
    private readonly task: PublisherTask,
    private readonly nc: NatsConnection,
    private readonly runTag: string,
  ) {
    this.spec = task.spec;
    this.payloads = new PayloadFactory(
      this.spec.sizeBytes.min,
      this.spec.sizeBytes.max,
      this.spec.randomPayload,
    );
    this.shaped = this.spec.payload && new ShapedPayloads(this.spec.payload, task.id);
    this.headerValues = Object.entries(this.spec.headers ?? {}).map(([k, v]) => [
      k,
      isTemplate(v) ? compileTemplate(v) : v,
    ]);
    this.subjects = Array.from({ length: this.spec.spread }, (_, i) =>
      publisherSubject(this.spec.subject, this.spec.spread, i),
    );
    this.frames = new FramePublisher(nc);
    this.batch = FrameBatch.on(nc);
    // benchline's own payloads, core or JetStream: the whole frame goes into the batch.
    this.mayFrame = this.batch !== undefined && !this.shaped && this.spec.mode !== "request";
  }

  /**
   * Before the start barrier: the payload files read, a service endpoint's subject found; `inbox` is
   * where PubAcks go (JetStream).
   */
  async prepare(inbox?: string): Promise<void> {
    await this.shaped?.prepare();
    if (this.spec.service) {
      const { name, endpoint } = this.spec.service;
      this.subjects = [await findEndpoint(this.nc, name, endpoint, `service ${name}`)];
    }
    this.subjectBytes = this.subjects.map((s) => FramePublisher.prepare(s));
    if (inbox === undefined) return;
    this.inbox = inbox;
    this.inboxBytes = FramePublisher.prepare(inbox);
  }

  /** Publishes own sequence `seq` (core or JetStream, replying to <inbox>.<seq>); returns the payload's size. */
  publish(seq: number, intendedAbs: number): number {
    const headers = this.headersFor(seq, intendedAbs);
    if (this.mayFrame && !headers) return this.publishFramed(seq, intendedAbs);
    const payload = this.payloadOf(seq, intendedAbs);
    const jetstream = this.spec.mode === "jetstream";
    if (headers) {
      const subject = this.subjectOf(seq);
      if (jetstream) this.nc.publish(subject, payload, { reply: `${this.inbox}.${seq}`, headers });
      else this.nc.publish(subject, payload, { headers });
    } else {
      const subject = this.subjectBytes[seq % this.subjectBytes.length]!;
      if (jetstream) this.frames.publish(subject, payload, this.inboxBytes, seq);
      else this.frames.publish(subject, payload);
    }
    return payload.length;
  }

  /** The PUB frame and its payload written straight into the batch; flushed at the end of the burst. */
  private publishFramed(seq: number, intendedAbs: number): number {
    const batch = this.batch!;
    const size = this.payloads.nextSize();
    const subject = this.subjectBytes[seq % this.subjectBytes.length]!;
    const at = batch.add(subject, size, this.spec.mode === "jetstream" ? this.inboxBytes : undefined, seq);
    this.payloads.writeInto(batch.slab, batch.view, at, size, intendedAbs, this.task.id, seq);
    return size;
  }

  /** Sends the frames a burst wrote. */
  flush(): void {
    this.batch?.flush();
  }

  subjectOf(seq: number): string {
    return this.subjects[seq % this.subjects.length]!;
  }

  payloadOf(seq: number, intendedAbs: number): Uint8Array {
    return this.shaped ? this.shaped.make(seq) : this.payloads.make(intendedAbs, this.task.id, seq);
  }

  headersFor(seq: number, intendedAbs: number): MsgHdrs | undefined {
    const timing = this.spec.timing === "header";
    if (this.headerValues.length === 0 && !this.spec.msgId && !timing) return undefined;
    const h = makeHeaders();
    for (const [k, v] of this.headerValues)
      h.set(k, typeof v === "string" ? v : v.render({ seq, publisher: this.task.id }));
    if (this.spec.msgId) h.set("Nats-Msg-Id", `${this.runTag}-${this.task.id}-${seq}`);
    if (timing) h.set(TIMING_HEADER, timingHeaderValue(intendedAbs, this.task.id, seq));
    return h;
  }
}
