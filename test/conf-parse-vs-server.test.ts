/**
 * benchline's reader of nats-server.conf against the server's own: each text goes to `nats-server -t`
 * and to parseConf. Whatever the server's lexer reads, the reader reads; for the values and shapes
 * below it also refuses what the server refuses. The server judges fields after lexing the whole file,
 * so "unknown field" means its lexer took the text; a missing variable or include stops it early, and
 * such a text says nothing either way.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findNatsServer } from "../src/server/binary.js";
import { parseConf } from "../src/server/conf-parse.js";
import { tempDir } from "./helpers/tmp.js";

const bin = findNatsServer();
let dir: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
beforeAll(async () => {
  dir = await tempDir();
  await writeFile(join(dir.path, "part.conf"), "x: 1\n");
});
afterAll(() => dir[Symbol.asyncDispose]());

type Verdict = "reads" | "refuses" | "stopped early";

/** What the server's parser made of the text. */
async function server(text: string): Promise<Verdict> {
  const file = join(dir.path, `t${n++}.conf`);
  await writeFile(file, text);
  const out = await new Promise<string>((resolve) =>
    execFile(bin, ["-t", "-c", file], { cwd: dir.path, env: { V: "x" } }, (err, stdout, stderr) =>
      resolve(err ? `${stderr}${stdout}` : ""),
    ),
  );
  if (/Parse error|out of the range|expected (integer|float|boolean|Zulu)/.test(out)) return "refuses";
  if (/variable reference|error parsing include file/.test(out)) return "stopped early";
  return "reads";
}

function reader(text: string): Verdict {
  try {
    parseConf(text);
    return "reads";
  } catch {
    return "refuses";
  }
}

/** Each text's verdicts, server first, two servers at a time. */
async function judge(texts: string[]): Promise<Array<{ text: string; server: Verdict; reader: Verdict }>> {
  const out: Array<{ text: string; server: Verdict; reader: Verdict }> = [];
  for (let i = 0; i < texts.length; i += 2) {
    const pair = texts.slice(i, i + 2);
    const verdicts = await Promise.all(pair.map(server));
    for (const [j, text] of pair.entries()) out.push({ text, server: verdicts[j]!, reader: reader(text) });
  }
  return out.filter((v) => v.server !== "stopped early");
}

/** Values as users write them, and as they mistype them. */
const VALUES = [
  ...["5s", "10ms", "1h30m", "2m", "2m10s", "1MB", "64KiB", "1e5", "4222x", "12-3"],
  ...[
    "1.5",
    "1.5s",
    "1.",
    ".5",
    "-1",
    "-1kx",
    "0.0.0.0:4222",
    "127.0.0.1",
    "localhost:4222",
    "nats://a:4222",
  ],
  ...["./x", "/abs/path", "x#y", "a'b", "x}y", "x]y", "x;y", "'q'", "'un", '"d\\tq"', '"bad\\d"', '"\\xZZ"'],
  ...['"multi\nline"', "a\\tb", "a\\qb", "$V", "$2a$11$abc", "true", "2024-01-02T03:04:05Z", "2024-01-02"],
  ...["[1, 2]", "[a,,b]", "[a,]", "[a\nb]", "[a; b]", "{a 1; b 2}", "{a: 1,}", "{ a: 1 / b: 2 }", "{ ] }"],
  ...["{ include part.conf }", "(\nblock } ]\n)", "(\nblock)\n)", "(x)", "(\r\nx\r\n)"],
];

/** The three places a value sits in the server's lexer: the top level, a map, an array. */
const PLACES = [
  (v: string) => `k: ${v}\n`,
  (v: string) => `m {\n  k = ${v} # c\n}\n`,
  (v: string) => `a: [${v}, x]\n`,
];

/** Keys, separators, ends of values, comments, blocks and includes. */
const SHAPES = [
  ...["port 4222", "port=4222", "port : 4222", "port\n: 4222", "port:\n4222", '"port": 4222', "'port' 4222"],
  ...['"po rt": 1', "'unterminated: 1", ": 1", "= 1", "a: 1; b: 2", "a: 1, b: 2", "a: 1 b: 2", "a: 1;; b: 2"],
  ...["a: 1 # c\nb: 2", "a: 1 // c", "a: 1 / b", "# only", "", "a", "a: ", "a:\n", "/a: 1", "'", 'a: "\\t'],
  ...["{ a: 1 }", "{\n a: 1,\n b: 2\n}", "{{ a: 1 }}", "m { a: 1 }", "m{ a: 1 }", "m: {a: 1}", "m {\n}"],
  ...[
    "m { a: 1 b: 2 }",
    "m { a: 1; b: 2; }",
    "m { , a: 1 }",
    "m { 'k': 1 }",
    "m { : 1 }",
    "m { a: 1",
    "m { '",
  ],
  ...["m { a: [ {b: 1}, {c: 2} ] }", "a: [ {b: 1}\n {c: 2} ]", "jetstream {\n  max_mem: 1G\n}"],
  ...["include ./part.conf", "include 'part.conf'", 'include "part.conf"', "include part.conf; a: 1"],
  ...[
    "include part.conf # c",
    "m { include part.conf\n a: 2 }",
    "INCLUDE part.conf",
    "include: 1",
    "include",
  ],
  ...[
    "a: 1\r\nb: 2\r\n",
    "m {\r\n  a: 1\r\n}\r\n",
    "a.b-c/d: 1",
    "$a: 1",
    "a\\tb: 1",
    "[a]: 1",
    "\ufeffa: 1",
  ],
];

describe("parseConf against nats-server's own parser", () => {
  it("reads the values the server reads and refuses the ones it refuses, wherever they sit", async () => {
    const verdicts = await judge(VALUES.flatMap((v) => PLACES.map((place) => place(v))));
    expect(verdicts.length).toBeGreaterThan(150);
    expect(verdicts.filter((v) => v.server !== v.reader)).toEqual([]);
    // Both ways are exercised: the list holds texts the server refuses, too.
    expect(verdicts.filter((v) => v.server === "refuses").length).toBeGreaterThan(40);
  });

  it("reads the shapes of keys, blocks and includes the server reads, and refuses the rest", async () => {
    const verdicts = await judge(SHAPES);
    expect(verdicts.filter((v) => v.server !== v.reader)).toEqual([]);
  });

  it("reads any text the server reads, from random pieces of config", async () => {
    const piece = fc.constantFrom(
      ...["k", "a", " ", "\t", "\n", ":", "=", ";", ",", "{", "}", "[", "]", "#c", "//c", "/", "'", '"'],
      ...['"s"', "'s'", "5s", "1MB", "2m", "1.5", "-1", "0.0.0.0:4222", "$V", "true", "x", "\\t", "\\"],
      ...["(", "\n)\n", "2024-01-02T03:04:05Z", "1", "k: ", "m {", "include part.conf", ".", "-", "x.y"],
    );
    const texts = fc.sample(
      fc.array(piece, { minLength: 1, maxLength: 12 }).map((p) => p.join("")),
      { numRuns: 120, seed: 21 },
    );
    const verdicts = await judge(texts);
    // More than a few of them the server reads: the property is not vacuous.
    expect(verdicts.filter((v) => v.server === "reads").length).toBeGreaterThan(40);
    // Newer servers read a file in braces that 2.9 refuses: the reader reads either, so only one way.
    expect(verdicts.filter((v) => v.server === "reads" && v.reader === "refuses")).toEqual([]);
  });
});
