/**
 * Direct gets on a stream (allow_direct, nats-server 2.9+), spoken as the server's documented API: a
 * request to $JS.API.DIRECT.GET.<stream> with { seq } or { last_by_subj }, answered with the message
 * itself (any replica may answer) or a 404 status when there is none (a miss).
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClientTask, OpCounts } from "../src/engine/protocol.js";
import { failureKind } from "./failure-kind.js";
import type { OpDriver } from "./op-client.js";
import type { ThreadRecorder } from "./recorder.js";

type DirectTask = Extract<ClientTask, { role: "op" }> & { op: { workload: "direct" } };

export class DirectDriver implements OpDriver {
  private firstSeq = 1;
  private lastSeq = 0;
  private readonly subject: string;

  constructor(
    private readonly task: DirectTask,
    private readonly nc: NatsConnection,
    private readonly rec: ThreadRecorder,
    private readonly counts: OpCounts,
  ) {
    this.subject = `$JS.API.DIRECT.GET.${task.op.stream}`;
  }

  async prepare(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(this.task.op.stream);
    this.firstSeq = info.state.first_seq;
    this.lastSeq = info.state.last_seq;
  }

  private query(): string {
    const c = this.task.op.client;
    if (c.by === "sequence") {
      const span = Math.max(1, this.lastSeq - this.firstSeq + 1);
      return `{"seq":${this.firstSeq + Math.floor(Math.random() * span)}}`;
    }
    const subject = c.spread > 1 ? `${c.subject}.${Math.floor(Math.random() * c.spread)}` : c.subject;
    return JSON.stringify({ last_by_subj: subject });
  }

  async issue(intendedRel: number, measured: boolean): Promise<boolean> {
    try {
      const m = await this.nc.request(this.subject, this.query(), { timeout: this.task.op.client.timeoutMs });
      const code = m.headers?.code ?? 0;
      if (code === 404) {
        this.counts.misses++;
        return true;
      }
      if (code >= 300) {
        this.rec.error(this.task.slot, `directGet:status${code}`);
        return false;
      }
      this.counts.readBytes += m.data.length;
      if (measured) this.counts.measuredReadBytes += m.data.length;
    } catch (err) {
      this.rec.error(this.task.slot, `directGet:${failureKind(err)}`);
      return false;
    }
    this.rec.record("directGet", (this.rec.relNow() - intendedRel) / 1000, measured);
    return true;
  }
}
