import { chmod, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { LocalCluster } from "../src/server/cluster.js";
import { NatsServer } from "../src/server/launcher.js";
import { isProcessAlive } from "../src/server/process.js";
import { isPortFree } from "../src/util/ports.js";
import { tempDir } from "./helpers/tmp.js";

describe("NatsServer", () => {
  it("starts with JetStream on ports it picks, answers the monitoring endpoints, and stops", async () => {
    let pid = 0;
    let port = 0;
    {
      await using server = await NatsServer.start();
      pid = server.pid;
      port = Number(new URL(server.clientUrl).port);
      expect(port).not.toBe(4222);
      expect(await server.monitor.healthz()).toEqual({ ok: true });
      const varz = await server.monitor.varz();
      expect(varz.version).toMatch(/^2\.\d+\.\d+/);
      expect(varz.jetstreamEnabled).toBe(true);
      const jsz = await server.monitor.jsz();
      expect(jsz.streams).toBe(0);
      expect(jsz.maxStorageBytes).toBeGreaterThan(0);
      const nc = await connect({ servers: server.clientUrl, name: "probe" });
      const connz = await server.monitor.connz();
      expect(connz.numConnections).toBe(1);
      expect(connz.connections[0]?.name).toBe("probe");
      await nc.close();
    }
    expect(isProcessAlive(pid)).toBe(false);
    expect(await isPortFree(port)).toBe(true);
  });

  it("applies JetStream limits and a given store dir", async () => {
    await using dir = await tempDir();
    const store = join(dir.path, "store");
    await using server = await NatsServer.start({
      storeDir: store,
      jsMaxMemoryBytes: 64 * 1024 * 1024,
      jsMaxFileBytes: 128 * 1024 * 1024,
    });
    const jsz = await server.monitor.jsz();
    expect(jsz.maxMemoryBytes).toBe(64 * 1024 * 1024);
    expect(jsz.maxStorageBytes).toBe(128 * 1024 * 1024);
    expect(server.storeDir).toBe(store);
  });

  it("requires the token it was started with", async () => {
    await using server = await NatsServer.start({ auth: { token: "s3cret-token" } });
    await expect(connect({ servers: server.clientUrl, reconnect: false })).rejects.toThrow(/Authorization/i);
    const nc = await connect({ servers: server.clientUrl, token: "s3cret-token" });
    await nc.close();
  });

  it("requires the user and password it was started with", async () => {
    await using server = await NatsServer.start({ auth: { user: "bench", password: "pw-123" } });
    await expect(connect({ servers: server.clientUrl, user: "bench", pass: "wrong" })).rejects.toThrow(
      /Authorization/i,
    );
    const nc = await connect({ servers: server.clientUrl, user: "bench", pass: "pw-123" });
    await nc.close();
  });

  it("fails fast with the log's reason when the port is taken", async () => {
    await using first = await NatsServer.start();
    const port = Number(new URL(first.clientUrl).port);
    const t0 = Date.now();
    await expect(NatsServer.start({ port })).rejects.toThrow(`port ${port} is already in use`);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it("fails fast with the tail of the log when the process exits during start", async () => {
    await using dir = await tempDir();
    const fake = join(dir.path, "nats-server");
    await writeFile(fake, "#!/bin/sh\necho 'fatal: pretend configuration error' >&2\nexit 1\n");
    await chmod(fake, 0o755);
    const saved = process.env.NATS_SERVER_BIN;
    process.env.NATS_SERVER_BIN = fake;
    try {
      await expect(NatsServer.start()).rejects.toThrow(
        "nats-server exited during start: fatal: pretend configuration error",
      );
    } finally {
      process.env.NATS_SERVER_BIN = saved;
      if (saved === undefined) delete process.env.NATS_SERVER_BIN;
    }
  });
});

describe("LocalCluster", () => {
  it("a node whose route port is taken names that port (what a cluster start retries on)", async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, "127.0.0.1", done));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(
        NatsServer.start({
          serverName: "n1",
          cluster: { name: "x", port, routes: ["nats-route://127.0.0.1:1"] },
        }),
      ).rejects.toThrow(new RegExp(`^port ${port} is already in use;`));
    } finally {
      taken.close();
    }
  });

  it("elects a JetStream meta leader and takes a replicas-3 stream", async () => {
    await using cluster = await LocalCluster.start(3);
    expect(cluster.nodes).toHaveLength(3);
    const leader = await cluster.waitForMetaLeader(1000);
    expect(leader).toMatch(/^benchline-n[123]$/);
    const nc = await connect({ servers: cluster.clientUrls });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.add({ name: "R3", subjects: ["r3.>"], num_replicas: 3 });
      expect(info.config.num_replicas).toBe(3);
      expect(info.cluster?.replicas).toHaveLength(2);
    } finally {
      await nc.close();
    }
  });
});
