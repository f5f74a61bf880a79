/**
 * The 16 bytes benchline writes at the start of every payload: the intended send time (host-wide
 * monotonic clock, ns, 64-bit big-endian), the publisher id and the publisher's sequence number.
 */
import { randomFillSync } from "node:crypto";
import { PAYLOAD_HEADER_BYTES } from "../src/contract/payload.js";

const TWO_32 = 4294967296;
/** Payloads are carved out of slabs this big: one allocation per many messages, not one each. */
const SLAB_BYTES = 256 * 1024;

/** Makes payloads of the configured sizes; the body is zeros or random bytes made once. */
export class PayloadFactory {
  private readonly template: Uint8Array;
  /** Zero bodies need no copy: every slab starts zeroed and no two payloads share bytes. */
  private readonly zeros: boolean;
  private slab = new Uint8Array(0);
  private view = new DataView(this.slab.buffer);
  private offset = 0;

  constructor(
    private readonly minBytes: number,
    private readonly maxBytes: number,
    random: boolean,
  ) {
    this.template = new Uint8Array(maxBytes);
    if (random) randomFillSync(this.template);
    this.zeros = !random;
  }

  /**
   * A payload no other message shares: the client may still hold earlier ones in its outbound queue,
   * so a slab is never reused, only left to the garbage collector once every message in it is sent.
   * `intendedNs` is the absolute monotonic time as a Number (exact to a few ns).
   */
  make(intendedNs: number, publisherId: number, seq: number): Uint8Array {
    const size = this.nextSize();
    if (this.offset + size > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB_BYTES, size));
      this.view = new DataView(this.slab.buffer);
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += size;
    this.writeInto(this.slab, this.view, at, size, intendedNs, publisherId, seq);
    return this.slab.subarray(at, at + size);
  }

  /** The size of the next payload: fixed, or uniform in the range. */
  nextSize(): number {
    return this.minBytes === this.maxBytes
      ? this.maxBytes
      : this.minBytes + Math.floor(Math.random() * (this.maxBytes - this.minBytes + 1));
  }

  /**
   * Writes a payload of `size` at `at` in a buffer that is zeroed there and never reused (a fresh
   * slab): the frame batch writes payloads straight behind their PUB line.
   */
  writeInto(
    buf: Uint8Array,
    view: DataView,
    at: number,
    size: number,
    intendedNs: number,
    publisherId: number,
    seq: number,
  ): void {
    if (!this.zeros && size > PAYLOAD_HEADER_BYTES)
      buf.set(this.template.subarray(PAYLOAD_HEADER_BYTES, size), at + PAYLOAD_HEADER_BYTES);
    const hi = Math.floor(intendedNs / TWO_32);
    view.setUint32(at, hi);
    view.setUint32(at + 4, intendedNs - hi * TWO_32);
    view.setUint32(at + 8, publisherId);
    view.setUint32(at + 12, seq);
  }
}

/** The intended send time (absolute ns, as a Number) of a benchline payload, or -1 when it is not one. */
export function readIntendedNs(data: Uint8Array): number {
  return readIntendedNsAt(data, 0, data.length);
}

/** readIntendedNs of the payload buf[at, end), read in place. */
export function readIntendedNsAt(buf: Uint8Array, at: number, end: number): number {
  if (end - at < PAYLOAD_HEADER_BYTES) return -1;
  return readUint32(buf, at) * TWO_32 + readUint32(buf, at + 4);
}

/** Reads a big-endian uint32 at `at` without allocating a DataView. */
export function readUint32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) >>> 0) + ((data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!);
}
