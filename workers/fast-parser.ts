/**
 * Reading MSG frames without nats.js's byte-at-a-time state machine: its parser (an almost verbatim
 * port of the Go client's) walks every byte of every control line in JavaScript, and took about 40% of
 * a consumer thread (--cpu-prof, pull consume at full speed). This fast path finds each line end with
 * indexOf, splits its few fields and hands nats.js the very event its own parser would have, for as
 * many whole `MSG` frames as a read holds; anything else (HMSG, PING, INFO, -ERR, a frame cut across
 * two reads) goes to nats.js's parser from a clean state, so every protocol rule stays nats.js's.
 */
import { Kind, Parser, State } from "@nats-io/nats-core/internal";
import { parserFellBack } from "./nats-internals.js";

const M = 0x4d;
const S = 0x53;
const G = 0x47;
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

interface ParserState {
  state: number;
  dispatcher: { push(e: { kind: number; msg: unknown; data: Uint8Array }): void };
}

let installed = false;

/** Patches the parser of every nats.js connection in this thread; idempotent. */
export function installFastMsgParsing(): void {
  if (installed) return;
  installed = true;
  const original = Parser?.prototype?.parse;
  if (typeof original !== "function" || State?.OP_START === undefined || Kind?.MSG === undefined) {
    parserFellBack();
    return;
  }
  Parser.prototype.parse = function parse(this: ParserState, buf: Uint8Array): void {
    if (this.state !== State.OP_START) {
      original.call(this, buf);
      return;
    }
    const used = parseWholeMsgFrames(buf, this.dispatcher);
    if (used === buf.length) return;
    original.call(this, used === 0 ? buf : buf.subarray(used));
  };
}

/**
 * Dispatches every whole `MSG` frame from the start of buf; returns how many bytes they took. Stops at
 * the first frame that is not a plain MSG, is cut short, or has a line it does not read as the server
 * writes it (single spaces, decimal numbers): nats.js's parser takes it from there.
 */
export function parseWholeMsgFrames(buf: Uint8Array, dispatcher: ParserState["dispatcher"]): number {
  let at = 0;
  while (
    at + 4 < buf.length &&
    buf[at] === M &&
    buf[at + 1] === S &&
    buf[at + 2] === G &&
    buf[at + 3] === SP
  ) {
    const lf = buf.indexOf(LF, at + 4);
    if (lf < 0 || buf[lf - 1] !== CR) break;
    // Fields between "MSG " and "\r": subject sid [reply] size.
    const fields: number[] = [at + 4];
    for (let i = at + 4; i < lf - 1; i++) if (buf[i] === SP) fields.push(i + 1);
    if (fields.length !== 3 && fields.length !== 4) break;
    const end = (k: number) => (k + 1 < fields.length ? fields[k + 1]! - 1 : lf - 1);
    const sid = decimal(buf, fields[1]!, end(1));
    const size = decimal(buf, fields[fields.length - 1]!, lf - 1);
    if (sid < 0 || size < 0) break;
    const dataStart = lf + 1;
    const dataEnd = dataStart + size;
    if (dataEnd + 2 > buf.length || buf[dataEnd] !== CR || buf[dataEnd + 1] !== LF) break;
    if (end(0) <= fields[0]!) break;
    const msg = {
      subject: buf.subarray(fields[0]!, end(0)),
      sid,
      reply: fields.length === 4 ? buf.subarray(fields[2]!, end(2)) : undefined,
      hdr: -1,
      size,
    };
    dispatcher.push({ kind: Kind.MSG, msg, data: buf.subarray(dataStart, dataEnd) });
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
