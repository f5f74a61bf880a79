/**
 * One run = loads x target x executor x fault timeline, with no pair special-cased: tenants with a
 * fault on benchline's own 3-node cluster and R3 streams, tenants with KV and Object Store loads, and
 * tenants on agents, each tenant logged in as itself.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { tenantAccount } from "../src/engine/tenants.js";
import { parseProfileText } from "../src/profile/loader.js";
import { NatsServer } from "../src/server/launcher.js";
import { startAgent } from "./helpers/agents.js";
import { runCli } from "./helpers/cli.js";
import { runJson, writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

describe("the run composition", () => {
  it("tenants + a kill on the embedded 3-node cluster: R3 streams, per-tenant fault figures and acked loss", {
    timeout: 120_000,
  }, async () => {
    await using dir = await tempDir();
    const cli = await runCli(
      [
        "run",
        join(process.cwd(), "profiles/tenants-failover.yaml"),
        "--json",
        "--out",
        join(dir.path, "artifacts"),
        "--no-charts",
        "--warmup",
        "1s",
        "--duration",
        "10s",
      ],
      { cwd: dir.path },
    );
    // --json prints the result whatever the verdict: a breached threshold (counts.lostAcked == 0) shows
    // below as the read-back that found it (which messages, how many acknowledged), not only as exit 1.
    const result = JSON.parse(cli.stdout) as RunResult;
    for (const name of ["orders", "audit"]) {
      const rb = result.tenants![name]!.readBack;
      expect({ error: rb?.error, lost: rb?.lost }, `${name}: ${JSON.stringify(rb)}`).toEqual({
        error: undefined,
        lost: 0,
      });
    }
    expect(cli.code, cli.stderr).toBe(0);
    expect(result.complete).toBe(true);
    expect(result.env.clusterSize).toBe(3);
    expect(result.profile.tenants!.map((t) => t.stream?.replicas)).toEqual([3, 3]);
    // One timeline for the target: the kill fired once, and every tenant reports what it met.
    expect(result.faults!.map((f) => [f.name, f.fired])).toEqual([["leader-down", true]]);
    for (const name of ["orders", "audit"]) {
      const t = result.tenants![name]!;
      expect(t.complete).toBe(true);
      expect(t.faults!.map((f) => f.name)).toEqual(["leader-down"]);
      // Each tenant's own stream read back: nothing it acknowledged is gone.
      expect(t.readBack!.stream).toBe(name === "orders" ? "ORDERS" : "AUDIT");
      expect(t.readBack!.error).toBeUndefined();
      expect(t.readBack!.lost).toBe(0);
      expect(t.counts.lostAcked).toBe(0);
      expect(t.counts.acked).toBeGreaterThan(1000);
    }
    expect(result.counts.lostAcked).toBe(0);
    expect(result.counts.published).toBe(
      result.tenants!.orders!.counts.published + result.tenants!.audit!.counts.published,
    );
    expect(result.thresholds.every((c) => c.passed)).toBe(true);
  });

  it("tenants with KV and Object Store loads, each in its own account", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "tenant-workloads",
      `tenants:
  - name: cache
    kv:
      bucket: {name: CACHE, storage: memory}
      keys: {count: 100, preload: true}
      valueSize: 64
      clients:
        - {rate: 200, mix: {get: 80, put: 20}}
  - name: files
    objects:
      bucket: {name: FILES, storage: memory}
      size: 16KiB
      objects: 4
      clients:
        - {rate: 10, mix: {put: 50, get: 50}}
warmup: 500ms
duration: 2s
drain: 1s
`,
    );
    const { result } = await runJson(profile, dir.path, ["--no-charts"]);
    expect(result.complete).toBe(true);
    const { cache, files } = result.tenants!;
    expect(cache!.counts.ops).toBeGreaterThan(300);
    expect(cache!.counts.opErrors ?? {}).toEqual({});
    expect(cache!.latency.kvGet!.count).toBeGreaterThan(200);
    expect(files!.counts.ops).toBeGreaterThan(10);
    expect(files!.counts.opErrors ?? {}).toEqual({});
    expect(files!.latency.objPut!.count).toBeGreaterThan(3);
    // The top level is both: the one reducer sums the operation counts of every part.
    expect(result.counts.ops).toBe(cache!.counts.ops! + files!.counts.ops!);
    expect(result.counts.permissionViolations).toBe(0);
  });

  it("tenants on agents: each tenant's share logs in as the tenant, with the agents' own secrets", async () => {
    await using dir = await tempDir();
    const passwords = { ALPHA_PASSWORD: "alpha-agent-pw-81", BETA_PASSWORD: "beta-agent-pw-81" };
    const text = `tenants:
  - name: alpha
    auth: {user: alpha, password: "\${ALPHA_PASSWORD}"}
    stream: {name: ALPHA, subjects: ["alpha.>"], storage: memory}
    publishers:
      - {mode: jetstream, subject: alpha.x, count: 2, rate: 1000}
    consumers:
      - {kind: pull}
  - name: beta
    auth: {user: beta, password: "\${BETA_PASSWORD}"}
    publishers:
      - {mode: core, subject: beta.x, count: 2, rate: 1000}
    consumers:
      - {kind: core, subject: "beta.>"}
warmup: 500ms
duration: 2s
drain: 1s
`;
    const tenants = parseProfileText(text, "t.yaml", passwords).profile.tenants!;
    await using server = await NatsServer.start({
      auth: {
        accounts: [
          { name: "SYS", jetstream: false, users: [{ user: "sys", password: "sys-pw" }] },
          tenantAccount(tenants[0]!, passwords.ALPHA_PASSWORD),
          tenantAccount(tenants[1]!, passwords.BETA_PASSWORD),
        ],
        systemAccount: "SYS",
      },
    });
    await using control = await NatsServer.start();
    await using _a1 = await startAgent(control.clientUrl, "a1", [], passwords);
    await using _a2 = await startAgent(control.clientUrl, "a2", [], passwords);
    const profile = await writeProfile(dir.path, "tenant-agents", text);
    const cli = await runCli(
      [
        "run",
        profile,
        "--server",
        server.clientUrl,
        "--agents",
        "2",
        "--control",
        control.clientUrl,
        "--json",
        "--no-charts",
        "--out",
        join(dir.path, "a"),
      ],
      { env: passwords },
    );
    const result = JSON.parse(cli.stdout) as RunResult;
    expect(cli.code, `${cli.stderr}\n${result.warnings?.join("\n")}\n${JSON.stringify(result.counts)}`).toBe(
      0,
    );
    const { alpha, beta } = result.tenants!;
    // 1000 msgs/s a tenant over 2.5 s: every message of each tenant, in its own account, nothing refused.
    for (const t of [alpha!, beta!]) {
      expect(t.counts.published).toBe(2500);
      expect(t.counts.consumed).toBe(2500);
      expect(t.counts.lost).toBe(0);
    }
    expect(alpha!.counts.acked).toBe(2500);
    expect(result.counts.permissionViolations).toBe(0);
    expect(result.env.agents!.map((a) => a.name).sort()).toEqual(["a1", "a1", "a2", "a2"]);
    expect(cli.stdout + cli.stderr).not.toMatch(/agent-pw-81/);

    // A tenant whose password is written into the profile cannot reach an agent: refused up front.
    const literal = await writeProfile(
      dir.path,
      "literal",
      text.replace('"${ALPHA_PASSWORD}"', passwords.ALPHA_PASSWORD),
    );
    const refused = await runCli(
      ["run", literal, "--server", server.clientUrl, "--agents", "2", "--control", control.clientUrl],
      { env: passwords },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(
      /tenant alpha runs on agents, which log in with credentials of their own environment: write its auth\.password as an \$\{ENV\} reference/,
    );
    expect(refused.stderr).not.toMatch(/agent-pw-81/);
  });
});
