/** A growable set of small non-negative integers, one bit each (sequence numbers seen or acked). */
export class BitSet {
  bytes: Uint8Array;

  constructor(initialBits = 1 << 16) {
    this.bytes = new Uint8Array(Math.ceil(initialBits / 8));
  }

  /** Sets bit i; returns true when it was already set. */
  testAndSet(i: number): boolean {
    const byte = i >>> 3;
    if (byte >= this.bytes.length) this.grow(byte + 1);
    const mask = 1 << (i & 7);
    const was = (this.bytes[byte]! & mask) !== 0;
    this.bytes[byte]! |= mask;
    return was;
  }

  /** Sets bits 0 .. n-1 (every sequence a core publisher sent). */
  setFirst(n: number): void {
    const whole = n >>> 3;
    if (whole + 1 > this.bytes.length) this.grow(whole + 1);
    this.bytes.fill(0xff, 0, whole);
    if (n & 7) this.bytes[whole]! |= (1 << (n & 7)) - 1;
  }

  private grow(minBytes: number): void {
    const next = new Uint8Array(Math.max(minBytes, this.bytes.length * 2));
    next.set(this.bytes);
    this.bytes = next;
  }
}
