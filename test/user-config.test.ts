/** The user's nats-server.conf: read as the server reads it, and the wrapper that moves its ports and store. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ConfEntry, ConfSyntaxError, parseConf } from "../src/server/conf-parse.js";
import { configCredentials, readUserConfig, renderWrapper } from "../src/server/user-config.js";
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
    expect(entry("tls_desc").value).toMatchObject({ kind: "string", text: "\nmulti } line ] text" });
    expect(entry("last").value).toMatchObject({ kind: "scalar", raw: "true" });
  });

  it("reads a file wrapped in braces, JSON style, and variables", () => {
    const items = parseConf('{\n  "port": 4222,\n  "token": $SECRET\n}\n');
    expect(items.map((i) => (i.kind === "entry" ? [i.key, i.value.kind] : []))).toEqual([
      ["port", "scalar"],
      ["token", "variable"],
    ]);
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
  });
});
