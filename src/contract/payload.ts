/**
 * The payload layout benchline's publishers write and its consumers read: the first 16 bytes of a
 * generated payload hold the intended send time (host-wide monotonic clock, ns, 64-bit big-endian, bytes
 * 0-7), the publisher id (uint32, bytes 8-11) and the publisher's sequence (uint32, bytes 12-15). A shaped
 * payload (the user's bytes, sent as they are) carries the same three in TIMING_HEADER instead.
 */

/** Bytes benchline writes at the start of every payload: intended send time, publisher id, sequence. */
export const PAYLOAD_HEADER_BYTES = 16;

/** The header that carries the timing and identity of a shaped payload: `<intendedNs>.<publisher>.<seq>`. */
export const TIMING_HEADER = "Benchline-Timing";
