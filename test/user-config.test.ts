/** The user's nats-server.conf: read as the server reads it, and the wrapper that moves its ports and store. */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ConfEntry, ConfSyntaxError, parseConf } from "../src/server/conf-parse.js";
import { configCredentials } from "../src/server/config-credentials.js";
import { configRecord, readUserConfig, renderWrapper } from "../src/server/user-config.js";
import { tempDir } from "./helpers/tmp.js";

const keys = (text: string) =>
  parseConf(text).map((i) => (i.kind === "include" ? `include ${i.path}` : i.key));

describe("parseConf", () => {
  it("reads keys however they are separated, quoted or commented, and the values' spans", () => {
    const text = [
      "# a comment",
      "port 4333 // trailing comment",
      'listen = "0.0.0.0:4333"; http: 127.0.0.1:8222',
      "'quoted key': x#notacomment",
      "max_payload: 1MB",
      "include ./auth.conf",
      "jetstream {",
      "  store_dir: '/data/js'",
      "  max_mem: 1G, max_file: 10GB",
      "}",
      "accounts: { A: { users: [ {user: a, password: $PW} ] } }",
      "tls_desc: (",
      "multi } line ] text",
      ")",
      "last: true",
    ].join("\n");
    expect(keys(text)).toEqual([
      "port",
      "listen",
      "http",
      "quoted key",
      "max_payload",
      "include ./auth.conf",
      "jetstream",
      "accounts",
      "tls_desc",
      "last",
    ]);
    const items = parseConf(text);
    const entry = (key: string) => items.find((i): i is ConfEntry => i.kind === "entry" && i.key === key)!;
    expect(text.slice(entry("http").value.start, entry("http").value.end)).toBe("127.0.0.1:8222");
    expect(entry("quoted key").value).toMatchObject({ kind: "string", text: "x#notacomment" });
    const js = entry("jetstream").value;
    expect(js.kind).toBe("map");
    if (js.kind === "map")
      expect(js.items.map((i) => (i.kind === "entry" ? i.key : "include"))).toEqual([
        "store_dir",
        "max_mem",
        "max_file",
      ]);
    // As the server: the text keeps the new line before the closing `)`.
    expect(entry("tls_desc").value).toMatchObject({ kind: "string", text: "\nmulti } line ] text\n" });
    expect(entry("last").value).toMatchObject({ kind: "scalar", raw: "true" });
  });

  it("reads a file wrapped in braces, JSON style, and variables", () => {
    const items = parseConf('{\n  "port": 4222,\n  "token": $SECRET\n}\n');
    expect(items.map((i) => (i.kind === "entry" ? [i.key, i.value.kind] : []))).toEqual([
      ["port", "scalar"],
      ["token", "variable"],
    ]);
  });

  it("reads values as the server's lexer does: durations are strings, sizes integers, addresses strings", () => {
    const value = (text: string) => {
      const [item] = parseConf(`k: ${text}\n`);
      if (item?.kind !== "entry") throw new Error("no entry");
      const { start: _s, end: _e, ...rest } = item.value;
      return rest;
    };
    const str = (text: string) => ({ kind: "string", text });
    const scalar = (raw: string) => ({ kind: "scalar", raw });
    const cases: Array<[string, object]> = [
      ["5s", str("5s")],
      ["10ms", str("10ms")],
      ["1h30m", str("1h30m")],
      ['"2m"', str("2m")],
      // Unquoted, 2m is the integer 2 million, as nats-server reads it: a duration must be quoted or `120s`.
      ["2m", scalar("2m")],
      ["1MB", scalar("1MB")],
      ["64KiB", scalar("64KiB")],
      ["10G", scalar("10G")],
      ["-1", scalar("-1")],
      ["2.5", scalar("2.5")],
      ["On", scalar("On")],
      ["2024-01-02T03:04:05Z", scalar("2024-01-02T03:04:05Z")],
      ["0.0.0.0:4222", str("0.0.0.0:4222")],
      ["127.0.0.1", str("127.0.0.1")],
      ["localhost:4222", str("localhost:4222")],
      ["nats-route://u:p@n1:6222", str("nats-route://u:p@n1:6222")],
      ["/var/lib/nats", str("/var/lib/nats")],
      ["orders.>", str("orders.>")],
      ["x#y", str("x#y")],
      ["a\\tb", str("a\tb")],
      ["'a\\tb'", str("a\\tb")],
      ['"\\x41\\"q"', str('A"q')],
      ["$TOKEN", { kind: "variable", name: "TOKEN" }],
      ["$2a$11$abc", { kind: "variable", name: "2a$11$abc" }],
    ];
    for (const [text, expected] of cases) expect([text, value(text)]).toEqual([text, expected]);
    const array = value("[nats://a:4222, 5s\n  1MB # c\n]");
    expect(array.kind === "array" && array.items.map((v) => (v.kind === "scalar" ? v.raw : v.kind))).toEqual([
      "string",
      "string",
      "1MB",
    ]);
  });

  it("reads a file with \\r\\n line ends as the same file with \\n", () => {
    const lf = "port: 4222\nwrite_deadline: 5s\njetstream {\n  max_mem: 1G\n}\n";
    const crlf = parseConf(lf.replaceAll("\n", "\r\n"));
    expect(crlf.map((i) => (i.kind === "entry" ? [i.key, i.value.kind] : []))).toEqual(
      parseConf(lf).map((i) => (i.kind === "entry" ? [i.key, i.value.kind] : [])),
    );
  });

  it("refuses what nats-server refuses, with the line", () => {
    expect(() => parseConf("a: 1\nsync: 2m10s\n")).toThrow(
      /^line 2: expected a new line after a value, found '1'$/,
    );
    expect(() => parseConf("store_dir: ./data\n")).toThrow(/^line 1: a value cannot start with '\.'/);
    expect(() => parseConf('path: "C:\\data"\n')).toThrow(/^line 1: invalid escape '\\d'/);
  });

  it("says which line it cannot read", () => {
    expect(() => parseConf("a: 1\nb {\n  c: 2\n")).toThrow(ConfSyntaxError);
    expect(() => parseConf("a: 1\nb {\n  c: 2\n")).toThrow(/^line 4: unterminated map/);
  });
});

describe("renderWrapper", () => {
  async function configIn(dir: string, files: Record<string, string>) {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir, name, ".."), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    return readUserConfig(join(dir, "conf", "nats.conf"));
  }
  const node = (dir: string) => ({
    runDir: join(dir, "run"),
    storeDir: "/tmp/st",
    port: -1,
    monitorPort: -1,
  });

  it("includes the file, moves every listener to a free loopback port and the store to a temp dir", async () => {
    await using dir = await tempDir();
    const config = await configIn(dir.path, {
      "conf/nats.conf": [
        "Listen: 0.0.0.0:4333",
        "monitor_port: 8333",
        "include parts/js.conf",
        "websocket { port: 8444, no_tls: true, compression: true }",
        "leafnodes { listen: 0.0.0.0:7422, remotes: [{url: nats-leaf://hub:7422}] }",
        "cluster { name: prod, listen: 0.0.0.0:6222, routes: [nats-route://10.0.0.2:6222] }",
        "gateway { name: east, port: 7222 }",
        "log_file: /var/log/nats.log",
        "authorization { token: $NATS_TOKEN }",
      ].join("\n"),
      "conf/parts/js.conf": "jetstream { store_dir: /var/lib/nats, max_mem: 64MB }\n",
    });
    const text = await renderWrapper(config, { file: config.file }, node(dir.path));
    expect(text.split("\n").slice(2)).toEqual([
      'include "../conf/nats.conf"',
      "",
      '"Listen": "127.0.0.1:-1"',
      '"monitor_port": -1',
      '"http": "127.0.0.1:-1"',
      `"ports_file_dir": ${JSON.stringify(join(dir.path, "run"))}`,
      '"log_file": ""',
      '"jetstream" {',
      '  "store_dir": "/tmp/st"',
      "  max_mem: 64MB",
      "}",
      '"cluster" {}',
      '"gateway" {}',
      '"leafnodes" {',
      '  "listen": "127.0.0.1:-1"',
      "}",
      '"websocket" {',
      '  "port": -1',
      "  no_tls: true",
      "  compression: true",
      '  host: "127.0.0.1"',
      "}",
      "",
    ]);
  });

  it("keeps ports and store when told to, and gives each cluster node routes to its siblings only", async () => {
    await using dir = await tempDir();
    const config = await configIn(dir.path, {
      "conf/nats.conf": [
        "port: 4333",
        "server_name: prod-1",
        "jetstream: enabled",
        "cluster { name: prod, port: 6222, routes: [nats-route://10.0.0.2:6222], authorization { user: r, password: p }, pool_size: 3 }",
      ].join("\n"),
    });
    const kept = await renderWrapper(
      config,
      { file: config.file, keepPorts: true, keepStore: true },
      node(dir.path),
    );
    expect(kept).not.toContain("4333");
    expect(kept).not.toMatch(/"port"|listen|store_dir/);
    expect(kept).toContain('"cluster" {}');

    const clustered = await renderWrapper(
      config,
      { file: config.file },
      {
        ...node(dir.path),
        serverName: "n1",
        cluster: { name: "bl", port: 7001, routes: ["nats-route://127.0.0.1:7002"] },
      },
    );
    expect(clustered).toContain('"server_name": "n1"');
    expect(clustered).toContain('store_dir: "/tmp/st"');
    expect(clustered).toContain(
      '"cluster" {\n  name: prod\n  pool_size: 3\n  listen: "127.0.0.1:7001"\n  routes: ["nats-route://127.0.0.1:7002"]\n}',
    );
  });

  it("finds the client credentials when the file has one token or one user", async () => {
    await using dir = await tempDir();
    const token = await configIn(dir.path, {
      "conf/nats.conf": "TOKEN: $FROM_ENV\nauthorization { token: $TOKEN }\n",
    });
    expect(await configCredentials(token, { FROM_ENV: "t0k" })).toEqual({ token: "t0k" });
    expect(await configCredentials(token, {})).toBeUndefined();
    const user = await configIn(dir.path, {
      "conf/nats.conf": 'authorization { user: bench, password: "p\\"w" }\n',
    });
    expect(await configCredentials(user, {})).toEqual({ user: "bench", password: 'p"w' });
    const hashed = await configIn(dir.path, {
      "conf/nats.conf": "authorization { user: bench, password: $2a$11$abcdefghijklmnopqrstuv }\n",
    });
    expect(await configCredentials(hashed, {})).toBeUndefined();
    // A variable of the block itself; an environment value read as the server reads it (quotes taken off).
    const scoped = await configIn(dir.path, {
      "conf/nats.conf": "authorization {\n  PW: blockpw\n  user: bench\n  password: $PW\n}\n",
    });
    expect(await configCredentials(scoped, {})).toEqual({ user: "bench", password: "blockpw" });
    expect(await configCredentials(token, { FROM_ENV: '"quoted tok"' })).toEqual({ token: "quoted tok" });
  });

  it("writes a block given as a variable out again, with its port moved", async () => {
    await using dir = await tempDir();
    const config = await configIn(dir.path, {
      "conf/nats.conf": "WS: { port: 8080, no_tls: true }\nwebsocket: $WS\n",
    });
    const text = await renderWrapper(config, { file: config.file }, node(dir.path));
    expect(text).toContain('"websocket" {\n  "port": -1\n  no_tls: true\n  host: "127.0.0.1"\n}');
  });

  it("records which files it read, by path and sha256, includes at any depth, never their text", async () => {
    await using dir = await tempDir();
    const files = {
      "conf/nats.conf": "include ./a.conf\nauthorization { include 'parts/b.conf' }\n",
      "conf/a.conf": "port: 4222\n",
      "conf/parts/b.conf": "include c.conf\n",
      "conf/parts/c.conf": "token: very-secret\n",
    };
    const config = await configIn(dir.path, files);
    const sha = (name: keyof typeof files) => createHash("sha256").update(files[name]).digest("hex");
    const at = (name: string) => join(dir.path, name);
    const record = configRecord(config);
    expect(record).toEqual({
      path: at("conf/nats.conf"),
      sha256: sha("conf/nats.conf"),
      includes: [
        { path: at("conf/a.conf"), sha256: sha("conf/a.conf") },
        { path: at("conf/parts/b.conf"), sha256: sha("conf/parts/b.conf") },
        { path: at("conf/parts/c.conf"), sha256: sha("conf/parts/c.conf") },
      ],
    });
    expect(JSON.stringify(record)).not.toContain("very-secret");
  });
});
