import { Kind, Parser } from "@nats-io/nats-core/internal";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { installFastMsgParsing } from "../workers/fast-parser.js";

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
  fc.constant(new TextEncoder().encode("PING\r\n")),
  fc.constant(new TextEncoder().encode("+OK\r\n")),
  fc.constant(new TextEncoder().encode("HMSG a.b 7 $JS.ACK.x 12 14\r\nNATS/1.0\r\n\r\nhi\r\n")),
);

describe("the fast MSG parser", () => {
  it("dispatches exactly what nats.js's own parser does, however the stream is cut into reads", () => {
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 40 }),
        (frames, cuts) => {
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
          const a = recorder();
          const b = recorder();
          const reference = new Parser(a as never);
          const fast = new Parser(b as never);
          for (const c of chunks) {
            originalParse.call(reference, c);
            fast.parse(c);
          }
          expect(b.seen).toEqual(a.seen);
        },
      ),
      { numRuns: 500 },
    );
  });
});
