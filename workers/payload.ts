/**
 * The 16 bytes benchline writes at the start of every payload: the intended send time (host-wide
 * monotonic clock, ns, big-endian), the publisher id and the publisher's sequence number.
 */
import { randomFillSync } from "node:crypto";
import { PAYLOAD_HEADER_BYTES } from "../src/profile/profile.js";

export interface PayloadHeader {
  intendedNs: bigint;
  publisherId: number;
  seq: number;
}

/** Makes payloads of the configured sizes; the body is zeros or random bytes made once. */
export class PayloadFactory {
  private readonly template: Uint8Array;

  constructor(
    private readonly minBytes: number,
    private readonly maxBytes: number,
    random: boolean,
  ) {
    this.template = new Uint8Array(maxBytes);
    if (random) randomFillSync(this.template);
  }

  /** A fresh buffer: the client may still hold the previous one in its outbound queue. */
  make(intendedNs: bigint, publisherId: number, seq: number): Uint8Array {
    const size =
      this.minBytes === this.maxBytes
        ? this.maxBytes
        : this.minBytes + Math.floor(Math.random() * (this.maxBytes - this.minBytes + 1));
    const buf = this.template.slice(0, size);
    const view = new DataView(buf.buffer, 0, PAYLOAD_HEADER_BYTES);
    view.setBigUint64(0, intendedNs);
    view.setUint32(8, publisherId);
    view.setUint32(12, seq);
    return buf;
  }
}

/** Reads the header, or undefined for a message benchline did not write. */
export function readHeader(data: Uint8Array): PayloadHeader | undefined {
  if (data.length < PAYLOAD_HEADER_BYTES) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, PAYLOAD_HEADER_BYTES);
  return { intendedNs: view.getBigUint64(0), publisherId: view.getUint32(8), seq: view.getUint32(12) };
}
