/**
 * One agent as the coordinator sees it: its endpoints as requests with timeouts, a service error
 * answered as an Error that names the agent, the prepare cut to the control server's max_payload, the
 * results fetched part by part.
 */

import { hostname } from "node:os";
import { headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import type { ThreadResult } from "../engine/protocol.js";
import { SERVICE_ERROR_CODE_HEADER } from "../engine/services.js";
import { type ClockEstimate, type ClockSample, estimateClock } from "./clock.js";
import type { AgentInfo } from "./discovery.js";
import {
  agentGroup,
  cut,
  decodeValue,
  encodeValue,
  HEADER_CHUNK,
  HEADER_FROM,
  HEADER_GROUP,
  HEADER_RUN,
  type PrepareRequest,
  type StopReply,
  type UpdateRequest,
  type Verb,
} from "./wire.js";

/** Samples of the clock per agent: the least delayed of eight is seldom queued behind anything. */
export const CLOCK_SAMPLES = 8;

export class RemoteAgent {
  private readonly group: string;

  constructor(
    private readonly nc: NatsConnection,
    readonly info: AgentInfo,
  ) {
    this.group = agentGroup(info.prefix, info.name);
  }

  get label(): string {
    return `agent ${this.info.name} (${this.info.host})`;
  }

  private async call(
    verb: Verb,
    body: string | Uint8Array,
    timeoutMs: number,
    h?: ReturnType<typeof headers>,
  ): Promise<Msg> {
    let m: Msg;
    try {
      m = await this.nc.request(`${this.group}.${verb}`, body, {
        timeout: timeoutMs,
        ...(h && { headers: h }),
      });
    } catch (err) {
      const e = err as Error;
      const why = /permissions violation/i.test(e.message)
        ? `cannot be commanded by this control user (${e.message}): it needs publish on ${this.group}.>`
        : /no responders/i.test(e.message) || e.name === "NoRespondersError"
          ? "is gone (no responders)"
          : /timeout/i.test(e.message) || e.name === "TimeoutError"
            ? `did not answer ${verb} within ${timeoutMs} ms`
            : `failed at ${verb}: ${e.message}`;
      throw new Error(`${this.label} ${why}`, { cause: err });
    }
    const code = m.headers?.get(SERVICE_ERROR_CODE_HEADER);
    if (code) throw new Error(`${this.label}: ${m.headers?.get("Nats-Service-Error") || `error ${code}`}`);
    return m;
  }

  async clock(samples = CLOCK_SAMPLES): Promise<ClockEstimate> {
    const taken: ClockSample[] = [];
    for (let i = 0; i < samples; i++) {
      const sentNs = process.hrtime.bigint();
      const m = await this.call("clock", "", 2000);
      const receivedNs = process.hrtime.bigint();
      taken.push({ sentNs, agentNs: BigInt(m.string()), receivedNs });
    }
    return estimateClock(taken);
  }

  /** Sends the share in parts; resolves once the agent's threads are all connected and subscribed. */
  async prepare(request: PrepareRequest, timeoutMs: number): Promise<void> {
    const parts = cut(encodeValue(request), this.nc.info?.max_payload ?? 1024 * 1024);
    for (const [i, part] of parts.entries()) {
      const h = headers();
      h.set(HEADER_RUN, request.runId);
      h.set(HEADER_GROUP, request.group ?? request.runId);
      h.set(HEADER_FROM, hostname());
      h.set(HEADER_CHUNK, `${i}/${parts.length}`);
      // The last part is answered once the share is ready; the others at once.
      await this.call("prepare", part, i === parts.length - 1 ? timeoutMs : 5000, h);
    }
  }

  async go(runId: string, startNs: bigint): Promise<void> {
    await this.call("go", JSON.stringify({ runId, startNs: String(startNs) }), 2000);
  }

  async update(u: UpdateRequest, timeoutMs: number): Promise<void> {
    await this.call("update", JSON.stringify(u), timeoutMs);
  }

  async stop(runId: string, timeoutMs: number): Promise<StopReply> {
    return (await this.call("stop", JSON.stringify({ runId }), timeoutMs)).json<StopReply>();
  }

  async results(runId: string, parts: number): Promise<ThreadResult[]> {
    const chunks: Uint8Array[] = [];
    for (let part = 0; part < parts; part++)
      chunks.push((await this.call("result", JSON.stringify({ runId, part }), 10_000)).data);
    const whole = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      whole.set(c, at);
      at += c.length;
    }
    return decodeValue<ThreadResult[]>(whole);
  }

  async release(runId: string): Promise<void> {
    await this.call("release", JSON.stringify({ runId }), 2000);
  }
}
