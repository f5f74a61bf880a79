import { Kind, Parser } from "@nats-io/nats-core/internal";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DirectEntry } from "../workers/direct-delivery.js";
import { installFastMsgParsing, parseWholeMsgFrames } from "../workers/fast-parser.js";

const originalParse = Parser.prototype.parse;
installFastMsgParsing();

type Event = {
  kind: number;
  msg?: { subject?: Uint8Array; sid?: number; reply?: Uint8Array; size?: number; hdr?: number };
  data?: Uint8Array;
};
const text = (b?: Uint8Array) => (b === undefined ? undefined : new TextDecoder().decode(b));
/** What a dispatcher saw, in comparable form (views copied: the parser may reuse nothing, but we check). */
function recorder() {
  const seen: unknown[] = [];
  return {
    seen,
    push(e: Event) {
      seen.push({
        kind: e.kind,
        ...(e.kind === Kind.MSG && {
          subject: text(e.msg!.subject),
          sid: e.msg!.sid,
          reply: text(e.msg!.reply),
          size: e.msg!.size,
          hdr: e.msg!.hdr,
          data: Array.from(e.data ?? []),
        }),
      });
    },
  };
}

const frame = fc.oneof(
  fc
    .record({
      subject: fc.stringMatching(/^[a-z][a-z0-9.]{0,20}$/),
      sid: fc.integer({ min: 1, max: 100_000 }),
      reply: fc.option(fc.stringMatching(/^[$_A-Za-z][A-Za-z0-9.]{0,40}$/), { nil: undefined }),
      data: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ subject, sid, reply, data }) => {
      const line = `MSG ${subject} ${sid}${reply ? ` ${reply}` : ""} ${data.length}\r\n`;
      return new Uint8Array([...new TextEncoder().encode(line), ...data, 13, 10]);
    }),
  // A PubAck as nats-server 2.9 writes it: an empty reply field, so two spaces before the size.
  fc
    .record({ seq: fc.integer({ min: 0, max: 99_999 }), data: fc.uint8Array({ maxLength: 40 }) })
    .map(({ seq, data }) => {
      const line = `MSG _INBOX.ZI4FQ4117O5ZE9M0TND13B.${seq} 1  ${data.length}\r\n`;
      return new Uint8Array([...new TextEncoder().encode(line), ...data, 13, 10]);
    }),
  fc.constant(new TextEncoder().encode("PING\r\n")),
  fc.constant(new TextEncoder().encode("+OK\r\n")),
  fc.constant(new TextEncoder().encode("HMSG a.b 7 $JS.ACK.x 12 14\r\nNATS/1.0\r\n\r\nhi\r\n")),
  fc.constant(new TextEncoder().encode("HMSG a.b 8 16 16\r\nNATS/1.0 408\r\n\r\n\r\n")),
  fc.constant(new TextEncoder().encode('INFO {"server_id":"x","max_payload":1048576}\r\n')),
  fc.constant(new TextEncoder().encode("-ERR 'Permissions Violation for Publish to \"x\"'\r\n")),
  fc.constant(new TextEncoder().encode("PONG\r\n")),
);

/** The frames back to back, cut into reads at the given lengths. */
function chunked(frames: Uint8Array[], cuts: number[]): Uint8Array[] {
  const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    stream.set(f, at);
    at += f.length;
  }
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const c of cuts) {
    if (from >= stream.length) break;
    chunks.push(stream.subarray(from, Math.min(stream.length, from + c)));
    from += c;
  }
  if (from < stream.length) chunks.push(stream.subarray(from));
  return chunks;
}

/** The same reads through nats.js's own parser (into `reference`) and the patched one (into `fast`). */
function parseBoth(chunks: Uint8Array[], reference: unknown, fast: unknown): void {
  const slow = new Parser(reference as never);
  const patched = new Parser(fast as never);
  for (const c of chunks) {
    originalParse.call(slow, c);
    patched.parse(c);
  }
}

describe("the fast MSG parser", () => {
  it("dispatches exactly what nats.js's own parser does, however the stream is cut into reads", () => {
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 30 }),
        // Reads of any size, and runs of tiny ones (a capped link delivers a frame a few bytes at a time).
        fc.oneof(
          fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 40 }),
          fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 400 }),
        ),
        (frames, cuts) => {
          const chunks = chunked(frames, cuts);
          const a = recorder();
          const b = recorder();
          parseBoth(chunks, a, b);
          expect(b.seen).toEqual(a.seen);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("direct delivery", () => {
  it("hands a registered sid's plain messages over in place, the rest as nats.js would, in order and counted", () => {
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 2 }),
        (frames, cuts, modulus) => {
          const chunks = chunked(frames, cuts);
          const a = recorder();
          const b = recorder();
          // Every sid with sid % 3 === modulus is delivered directly; what it gets must read as the frame.
          const received = { received: 0 };
          const entry = (sid: number): DirectEntry => ({
            sub: received,
            handler: (buf, subjectAt, subjectEnd, replyAt, replyEnd, dataAt, dataEnd) =>
              b.push({
                kind: Kind.MSG,
                msg: {
                  subject: buf.slice(subjectAt, subjectEnd),
                  sid,
                  reply: replyEnd > replyAt ? buf.slice(replyAt, replyEnd) : undefined,
                  size: dataEnd - dataAt,
                  hdr: -1,
                },
                data: buf.slice(dataAt, dataEnd),
              }),
          });
          // The parser only looks sids up: a map of every third sid, without 33,000 entries.
          const direct = { get: (sid: number) => (sid % 3 === modulus ? entry(sid) : undefined) };
          const target = Object.assign(b, {
            benchlineDirect: direct as Map<number, DirectEntry>,
            inMsgs: 0,
            inBytes: 0,
          });
          parseBoth(chunks, a, target);
          expect(b.seen).toEqual(a.seen);
          // nats.js's counters stay true for what went around it.
          expect(target.inMsgs).toBe(received.received);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads the fields of a frame with a reply, and of one with an empty reply field (a PubAck)", () => {
    const seen: number[][] = [];
    const pushed: unknown[] = [];
    const target = {
      push: (e: unknown) => pushed.push(e),
      inMsgs: 0,
      inBytes: 0,
      benchlineDirect: new Map<number, DirectEntry>([
        [7, { sub: { received: 0 }, handler: (_b, ...at) => seen.push(at) }],
      ]),
    };
    const buf = new TextEncoder().encode("MSG a.b 7 r.1 3\r\nxyz\r\nMSG a.b 7  3\r\nxyz\r\n");
    expect(parseWholeMsgFrames(buf, target)).toBe(41);
    // subject 4-7 "a.b", reply 10-13 "r.1", payload 17-20 "xyz"; then subject 26-29, no reply, 36-39
    expect(seen).toEqual([
      [4, 7, 10, 13, 17, 20],
      [26, 29, 0, 0, 36, 39],
    ]);
    expect(target.inBytes).toBe(6);
    expect(pushed).toEqual([]);
  });
});

describe("a frame cut across reads", () => {
  it("is read whole with the next read, and one longer than the carry limit goes to nats.js's parser", () => {
    for (const size of [1000, 300 * 1024]) {
      const line = new TextEncoder().encode(`MSG big 1 ${size}\r\n`);
      const frames = [
        new TextEncoder().encode("MSG a 2 1\r\nx\r\n"),
        new Uint8Array([...line, ...new Uint8Array(size).fill(7), 13, 10]),
      ];
      const chunks = chunked(
        frames,
        Array.from({ length: 20 }, () => 64 * 1024 - 7),
      );
      const a = recorder();
      const b = recorder();
      parseBoth(chunks, a, b);
      expect(b.seen).toEqual(a.seen);
      expect(b.seen).toHaveLength(2);
    }
  });
});

describe("the fast path after another frame", () => {
  it("goes on after a control line, an HMSG and a cut frame: a registered sid's messages all arrive in place", () => {
    const direct: string[] = [];
    const pushed: number[] = [];
    const target = {
      push: (e: { kind: number }) => pushed.push(e.kind),
      inMsgs: 0,
      inBytes: 0,
      benchlineDirect: new Map<number, DirectEntry>([
        [
          7,
          {
            sub: { received: 0 },
            handler: (buf, _sa, _se, _ra, _re, at, end) => direct.push(text(buf.subarray(at, end))!),
          },
        ],
      ]),
    };
    const parser = new Parser(target as never);
    // Cut after the frame's CR, within a payload, and one byte into "MSG": each a common read end.
    const reads = [
      "PING\r\nMSG a 7 1\r\nw\r\nHMSG a 8 12 14\r\nNATS/1.0\r\n\r\nhi\r\nMSG a 7 1\r\nx\r\nMSG a 7 1\r",
      "\ny\r\nMSG a 7 2\r\nz",
      "z\r\nM",
      "SG a 7 1\r\n!\r\n",
    ];
    for (const r of reads) parser.parse(new TextEncoder().encode(r));
    expect(direct).toEqual(["w", "x", "y", "zz", "!"]);
    expect(pushed).toEqual([Kind.PING, Kind.MSG]);
  });
});
