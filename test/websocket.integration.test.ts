/**
 * Websocket clients: a JetStream publish and consume over nats-server's websocket listener counts what
 * the same load counts over TCP, wss:// takes the test CA, and a ws:// URL without a listener behind it
 * is one line with exit 3.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileHash } from "../src/baseline/format.js";
import { transportOf } from "../src/engine/transport.js";
import { parseProfileText } from "../src/profile/loader.js";
import { renderServerConfig } from "../src/server/config.js";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { makePki } from "./helpers/credentials.js";
import { runJson, writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

const MESSAGES = 3000;
const LOAD = `stream: {name: WSJS, subjects: ["wsjs.>"]}
publishers: [{mode: jetstream, subject: wsjs.x, rate: 2000}]
consumers: [{kind: pull}]
warmup: 0s
messages: ${MESSAGES}
drain: 2s
`;

/** The closed connections a server remembers: how each client connected, and with which library. */
async function closedClients(
  server: NatsServer,
): Promise<Array<{ type: string; lang: string; name: string }>> {
  const r = await fetch(`${server.monitorUrl}/connz?state=closed`);
  return ((await r.json()) as { connections: Array<{ type: string; lang: string; name: string }> })
    .connections;
}

describe("websocket clients", () => {
  it("renders a websocket listener: plain, or with the server's certificate", () => {
    const base = {
      serverName: "n",
      host: "127.0.0.1",
      port: -1,
      monitorPort: -1,
      storeDir: "/s",
      portsFileDir: "/p",
    };
    expect(renderServerConfig({ ...base, websocket: { port: -1 } })).toContain(
      'websocket {\n  listen: "127.0.0.1:-1"\n  no_tls: true\n}\n',
    );
    expect(
      renderServerConfig({
        ...base,
        websocket: { port: 8443, tls: { certFile: "/c.pem", keyFile: "/k.pem" } },
      }),
    ).toContain(
      'websocket {\n  listen: "127.0.0.1:8443"\n  tls {\n    cert_file: "/c.pem"\n    key_file: "/k.pem"\n  }\n}\n',
    );
  });

  it("a baseline over TCP compares with candidates over websocket: the transport is not the load", () => {
    const text = `name: p\n${LOAD}`;
    const tcp = parseProfileText(text, "p.yaml", {}).profile;
    const ws = parseProfileText(`transport: websocket\n${text}`, "p.yaml", {}).profile;
    expect(ws.transport).toBe("websocket");
    expect(profileHash(ws)).toBe(profileHash(tcp));
  });

  it("one transport per run: mixed URLs are refused", () => {
    expect(transportOf(["nats://a:4222", "tls://b:4222"])).toBe("tcp");
    expect(transportOf(["ws://a:8080", "WSS://b:443"])).toBe("websocket");
    expect(() => transportOf(["ws://a:8080", "nats://b:4222"])).toThrow(
      "the server URLs mix websocket (ws://a:8080) and TCP (nats://b:4222); name servers of one transport",
    );
  });

  it("JetStream publish and consume over websocket count what TCP counts, with latency measured", async () => {
    await using dir = await tempDir();
    const tcp = (await runJson(await writeProfile(dir.path, "overtcp", LOAD), dir.path)).result;
    const ws = (
      await runJson(await writeProfile(dir.path, "overws", `transport: websocket\n${LOAD}`), dir.path)
    ).result;
    expect([tcp.env.transport, ws.env.transport]).toEqual(["tcp", "websocket"]);
    const exact = (r: typeof tcp) => {
      const { published, acked, consumed, lost, duplicates, gaps, publishErrors, reconnects } = r.counts;
      return { published, acked, consumed, lost, duplicates, gaps, publishErrors, reconnects };
    };
    expect(exact(ws)).toEqual(exact(tcp));
    expect(exact(ws)).toMatchObject({ published: MESSAGES, acked: MESSAGES, consumed: MESSAGES, lost: 0 });
    for (const r of [tcp, ws]) {
      // Both transports on benchline's own data path: frames out, MSG read and delivered in place.
      expect(r.env.dataPath).toEqual({
        publish: "frames",
        parse: "fast",
        receive: "wire",
        deliver: "direct",
      });
      expect(r.latency.pubAck?.count).toBe(MESSAGES);
      expect(r.latency.e2e?.count).toBe(MESSAGES);
      expect(r.latency.pubAck!.p50Us).toBeGreaterThan(0);
      expect(r.latency.e2e!.p99Us).toBeGreaterThanOrEqual(r.latency.e2e!.p50Us);
    }
  }, 90_000);

  it("every client of a run on a named server goes through its websocket listener", async () => {
    await using dir = await tempDir();
    await using server = await NatsServer.start({ websocket: { port: -1 } });
    expect(server.websocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const profile = await writeProfile(dir.path, "named", LOAD);
    const { result } = await runJson(profile, dir.path, ["--server", server.websocketUrl!]);
    expect(result.env.transport).toBe("websocket");
    expect(result.counts).toMatchObject({ published: MESSAGES, consumed: MESSAGES, lost: 0 });
    const clients = (await closedClients(server)).filter((c) => c.name.startsWith("benchline-"));
    // The control connection and each worker thread's.
    expect(clients.length).toBeGreaterThanOrEqual(2);
    expect(clients.every((c) => c.type === "websocket" && c.lang === "nats.ws")).toBe(true);
  }, 60_000);

  it("wss:// with the test CA; without it, the certificate is not trusted (exit 3)", async () => {
    await using dir = await tempDir();
    const pki = await makePki(dir.path);
    await using server = await NatsServer.start({
      websocket: { port: -1, tls: { certFile: pki.serverCert, keyFile: pki.serverKey } },
    });
    expect(server.websocketUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const profile = await writeProfile(dir.path, "secure", LOAD);
    const { result } = await runJson(profile, dir.path, [
      "--server",
      server.websocketUrl!,
      "--tls-ca",
      pki.caFile,
    ]);
    expect(result.env.transport).toBe("websocket");
    expect(result.counts).toMatchObject({ published: MESSAGES, consumed: MESSAGES, lost: 0 });
    const untrusted = await runCli([
      "run",
      profile,
      "--server",
      server.websocketUrl!,
      "--out",
      join(dir.path, "a"),
    ]);
    expect(untrusted.code).toBe(3);
    expect(expectOneLineError(untrusted)).toMatch(
      /^error: wss:\/\/127\.0\.0\.1:\d+: the server's TLS certificate is not trusted \(.+\); pass its CA with --tls-ca FILE, or --tls-insecure for a test server$/,
    );
  }, 60_000);

  it("a ws:// URL at a server without a websocket listener: exit 3, one line that says so", async () => {
    await using dir = await tempDir();
    await using server = await NatsServer.start();
    expect(server.websocketUrl).toBeUndefined();
    const profile = await writeProfile(dir.path, "nolistener", LOAD);
    const url = server.clientUrl.replace(/^nats:/, "ws:");
    const r = await runCli(["run", profile, "--server", url, "--out", join(dir.path, "a")]);
    expect(r.code).toBe(3);
    expect(expectOneLineError(r)).toBe(
      `error: ${url} has no websocket listener (Parse Error: Expected HTTP/, RTSP/ or ICE/): that port speaks plain NATS; use nats:// for it, or the port of the server's websocket block`,
    );
  });

  it("transport: websocket with NATS URLs is refused before anything runs (exit 2)", async () => {
    await using dir = await tempDir();
    await using server = await NatsServer.start();
    const profile = await writeProfile(dir.path, "mismatch", `transport: websocket\n${LOAD}`);
    const r = await runCli(["run", profile, "--server", server.clientUrl, "--out", join(dir.path, "a")]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toBe(
      `error: ${profile}: transport: websocket, but the servers are nats:// or tls:// URLs; name the servers' websocket URLs (ws://host:port)`,
    );
  });
});
