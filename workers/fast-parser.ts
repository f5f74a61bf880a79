/**
 * Reading MSG frames without nats.js's byte-at-a-time state machine: its parser (an almost verbatim
 * port of the Go client's) walks every byte of every control line in JavaScript, and took about 40% of
 * a consumer thread (--cpu-prof, pull consume at full speed). This fast path finds each line end with
 * indexOf, splits its few fields and hands nats.js the very event its own parser would have (or a
 * registered subscription its frame in place, direct-delivery.ts), for every whole `MSG` frame of a
 * read. Any other frame (HMSG, PING, INFO, -ERR) goes to nats.js's parser whole and alone, so it ends
 * in a clean state and the fast path goes on after it; every protocol rule but MSG's stays nats.js's.
 * A frame cut across two reads is kept and read whole with the next one: reads end mid-frame nearly
 * always at full speed, and handing the rest of such a read to nats.js had it parse most messages.
 */
import { Kind, Parser, State } from "@nats-io/nats-core/internal";
import type { DirectTarget } from "./direct-delivery.js";
import { natsJsPathChosen, parserFellBack } from "./nats-internals.js";

const M = 0x4d;
const H = 0x48;
const P = 0x50;
const I = 0x49;
const PLUS = 0x2b;
const MINUS = 0x2d;
const S = 0x53;
const G = 0x47;
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

interface ParserState {
  state: number;
  dispatcher: { push(e: { kind: number; msg: unknown; data: Uint8Array }): void };
  /** The start of a frame the last read cut short, to be read with the next one. */
  benchlineCarry?: Uint8Array;
}

/**
 * A cut frame longer than this goes to nats.js's parser, which takes a large payload piece by piece;
 * carrying it would copy it again with every read.
 */
const MAX_CARRY_BYTES = 256 * 1024;
/** A control line longer than this is not one the server writes (INFO is the longest, a few KiB). */
const MAX_LINE_BYTES = 64 * 1024;

let installed = false;
type Parse = (this: ParserState, buf: Uint8Array) => void;
/** nats.js's own parse, for every frame but a whole plain MSG. */
let natsParse: Parse;

/** Patches the parser of every nats.js connection in this thread; idempotent. */
export function installFastMsgParsing(): void {
  if (installed) return;
  installed = true;
  const original = Parser?.prototype?.parse as Parse | undefined;
  if (
    natsJsPathChosen ||
    typeof original !== "function" ||
    State?.OP_START === undefined ||
    Kind?.MSG === undefined
  ) {
    parserFellBack();
    return;
  }
  natsParse = original;
  Parser.prototype.parse = function parse(this: ParserState, read: Uint8Array): void {
    // Mid-frame in nats.js's parser (a frame this handed over whole leaves it at the start).
    if (this.state !== State.OP_START) {
      natsParse.call(this, read);
      return;
    }
    const carry = this.benchlineCarry;
    let at = 0;
    if (carry) {
      this.benchlineCarry = undefined;
      at = finishCutFrame(this, carry, read);
      if (at < 0) return;
    }
    readFrames(this, read, at);
  };
}

/** Reads buf from `at`: MSG frames here, any other whole frame alone in nats.js's parser, a cut one kept. */
function readFrames(p: ParserState, buf: Uint8Array, at: number): void {
  while (at < buf.length) {
    at = parseWholeMsgFrames(buf, p.dispatcher, at);
    if (at >= buf.length) return;
    const end = frameEnd(buf, at);
    if (end === UNKNOWN) {
      natsParse.call(p, buf.subarray(at));
      return;
    }
    if (end === CUT_LINE || end > buf.length) {
      keep(p, buf.subarray(at));
      return;
    }
    natsParse.call(p, buf.subarray(at, end));
    at = end;
    // A frame nats.js's parser read differently and still waits in: the rest of the read is its.
    if (p.state !== State.OP_START) {
      natsParse.call(p, buf.subarray(at));
      return;
    }
  }
}

/**
 * The start of a cut frame waits for the next read (a copy, so the whole read it came in is not kept;
 * `owned`: a buffer made here, kept as is); a long one goes to nats.js's parser, which takes a large
 * payload piece by piece.
 */
function keep(p: ParserState, rest: Uint8Array, owned = false): void {
  if (rest.length <= MAX_CARRY_BYTES) p.benchlineCarry = owned ? rest : rest.slice();
  else natsParse.call(p, rest);
}

/**
 * Completes the frame the last read cut, from the start of this one: only the frame is copied, never the
 * whole read. Returns where the rest of the read starts, or -1 when the read was used up otherwise.
 */
function finishCutFrame(p: ParserState, carry: Uint8Array, read: Uint8Array): number {
  let head = carry;
  if (carry.indexOf(LF) < 0) {
    const lf = read.indexOf(LF);
    if (lf < 0) {
      keep(p, join(carry, read), true);
      return -1;
    }
    head = join(carry, read.subarray(0, lf + 1));
  }
  const end = frameEnd(head, 0);
  if (end < 0) {
    natsParse.call(p, join(carry, read));
    return -1;
  }
  const fromRead = end - carry.length;
  if (fromRead > read.length) {
    keep(p, join(carry, read), true);
    return -1;
  }
  const frame = join(carry, read.subarray(0, fromRead));
  if (parseWholeMsgFrames(frame, p.dispatcher, 0) !== frame.length) {
    natsParse.call(p, frame);
    if (p.state !== State.OP_START) {
      natsParse.call(p, read.subarray(fromRead));
      return -1;
    }
  }
  return fromRead;
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** frameEnd: the frame's first line continues past the buffer. */
const CUT_LINE = -1;
/** frameEnd: not a frame this reads the length of. */
const UNKNOWN = -2;

/**
 * The end of the frame at buf[at] (past the buffer's end when its payload is cut): after its line for
 * a control line (PING, PONG, +OK, -ERR, INFO), after its payload for MSG and HMSG; CUT_LINE when the
 * line itself is cut, UNKNOWN for anything else.
 */
function frameEnd(buf: Uint8Array, at: number): number {
  const lf = buf.indexOf(LF, at);
  // A line cut short, even within its first word ("M" at the end of a read), waits for the next read.
  if (lf < 0) return buf.length - at < MAX_LINE_BYTES ? CUT_LINE : UNKNOWN;
  const first = buf[at];
  const isMsg = first === M && buf[at + 1] === S && buf[at + 2] === G && buf[at + 3] === SP;
  const isHmsg =
    first === H && buf[at + 1] === M && buf[at + 2] === S && buf[at + 3] === G && buf[at + 4] === SP;
  if (!isMsg && !isHmsg)
    return first === P || first === PLUS || first === MINUS || first === I ? lf + 1 : UNKNOWN;
  if (buf[lf - 1] !== CR) return UNKNOWN;
  // The last field of the line is the payload's size (HMSG: headers and payload together).
  let sp = lf - 2;
  while (sp > at && buf[sp] !== SP) sp--;
  const size = decimal(buf, sp + 1, lf - 1);
  return size < 0 ? UNKNOWN : lf + 1 + size + 2;
}

/**
 * Dispatches every whole `MSG` frame from buf[from]; returns where they end. Stops at
 * the first frame that is not a plain MSG, is cut short, or has a line it does not read as the server
 * writes it (single spaces, decimal numbers): nats.js's parser takes it from there. A frame for a
 * subscription registered for direct delivery goes to its handler as offsets, without an object made.
 */
export function parseWholeMsgFrames(
  buf: Uint8Array,
  dispatcher: ParserState["dispatcher"],
  from = 0,
): number {
  const target = dispatcher as unknown as DirectTarget;
  const direct = target.benchlineDirect;
  let at = from;
  while (
    at + 4 < buf.length &&
    buf[at] === M &&
    buf[at + 1] === S &&
    buf[at + 2] === G &&
    buf[at + 3] === SP
  ) {
    const lf = buf.indexOf(LF, at + 4);
    if (lf < 0 || buf[lf - 1] !== CR) break;
    // Fields between "MSG " and "\r": subject sid [reply] size; sp1..sp3 are the spaces after each.
    const line = at + 4;
    let spaces = 0;
    let sp1 = 0;
    let sp2 = 0;
    let sp3 = 0;
    for (let i = line; i < lf - 1; i++) {
      if (buf[i] !== SP) continue;
      spaces++;
      if (spaces === 1) sp1 = i;
      else if (spaces === 2) sp2 = i;
      else if (spaces === 3) sp3 = i;
      else break;
    }
    if (spaces !== 2 && spaces !== 3) break;
    // An empty subject is not how the server writes a frame: nats.js's parser judges it. An empty reply
    // (two spaces before the size) is how nats-server writes a JetStream PubAck: no reply, as nats.js
    // reads it.
    if (sp1 <= line) break;
    const hasReply = spaces === 3 && sp3 > sp2 + 1;
    const sid = decimal(buf, sp1 + 1, sp2);
    const size = decimal(buf, (spaces === 3 ? sp3 : sp2) + 1, lf - 1);
    if (sid < 0 || size < 0) break;
    const replyAt = hasReply ? sp2 + 1 : 0;
    const replyEnd = hasReply ? sp3 : 0;
    const dataStart = lf + 1;
    const dataEnd = dataStart + size;
    if (dataEnd + 2 > buf.length || buf[dataEnd] !== CR || buf[dataEnd + 1] !== LF) break;
    const entry = direct?.get(sid);
    if (entry) {
      // What nats.js's processMsg counts for every message, kept true for nc.stats().
      target.inMsgs++;
      target.inBytes += size;
      entry.sub.received++;
      entry.handler(buf, line, sp1, replyAt, replyEnd, dataStart, dataEnd);
    } else {
      const msg = {
        subject: buf.subarray(line, sp1),
        sid,
        reply: hasReply ? buf.subarray(replyAt, replyEnd) : undefined,
        hdr: -1,
        size,
      };
      dispatcher.push({ kind: Kind.MSG, msg, data: buf.subarray(dataStart, dataEnd) });
    }
    at = dataEnd + 2;
  }
  return at;
}

/** A non-negative decimal in buf[from, to), or -1 when it is not one. */
function decimal(buf: Uint8Array, from: number, to: number): number {
  if (to <= from) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
