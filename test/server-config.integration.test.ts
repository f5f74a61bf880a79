/**
 * `--server-config FILE`: the embedded server runs from the user's own nats-server.conf. The ports the
 * file names are held by the test, so a server that kept any of them could not start at all.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { runArtifactsDir } from "../src/engine/artifacts.js";
import { type CliResult, expectOneLineError, runCli } from "./helpers/cli.js";
import { writeProfile } from "./helpers/profiles.js";
import { expectNoSecrets } from "./helpers/secrets.js";
import { tempDir } from "./helpers/tmp.js";

const TOKEN = `tok-${randomBytes(12).toString("hex")}`;

/** Listeners on ports the OS picked, kept open for the test: what the user's file names as fixed ports. */
async function holdPorts(n: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    servers.push(s);
  }
  return {
    ports: servers.map((s) => (s.address() as { port: number }).port),
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))).then(() => {}),
  };
}

let held: Awaited<ReturnType<typeof holdPorts>> | undefined;
afterEach(async () => {
  await held?.close();
  held = undefined;
});

/**
 * Stops the `benchline server start` whose pid file is in dir. Declared after the temp dir that holds
 * it, it is disposed first: stopping after the dir is gone finds no pid file and leaves the server running.
 */
const stopsServerAt = (dir: string): AsyncDisposable => ({
  [Symbol.asyncDispose]: async () => {
    await runCli(["server", "stop", "--dir", dir]);
  },
});

/** The staging shape: fixed ports, a token from the environment, JetStream limits, websocket. */
async function stagingConfig(dir: string): Promise<{ file: string; ports: number[] }> {
  held = await holdPorts(3);
  const [client, http, ws] = held.ports;
  const file = join(dir, "nats-server.conf");
  await writeFile(
    file,
    [
      `listen: 127.0.0.1:${client}`,
      `http: 127.0.0.1:${http}`,
      "max_payload: 64KB",
      // Durations unquoted, as nats-server's docs write them (issue 21).
      "write_deadline: 5s",
      "lame_duck_duration: 30s",
      "authorization { token: $BENCH_TOKEN }",
      `jetstream { store_dir: "${join(dir, "staging-store")}", max_memory_store: 64MB, max_file_store: 256MB }`,
      `websocket { port: ${ws}, no_tls: true }`,
      "",
    ].join("\n"),
  );
  return { file, ports: held.ports };
}

const LOAD = `stream: {name: CFG, subjects: ["cfg.>"]}\npublishers:\n  - {mode: jetstream, subject: cfg.a, rate: 1000, size: SIZE}\nconsumers:\n  - {kind: pull}\nwarmup: 300ms\nduration: 1s\ndrain: 1s\nworkers: 1\n`;

describe("--server-config", () => {
  it("server start: the file's token, limits and websocket, on other ports than the file's", async () => {
    await using dir = await tempDir();
    const { file, ports } = await stagingConfig(dir.path);
    const artifacts = join(dir.path, "artifacts");
    await using _server = stopsServerAt(artifacts);
    const env = { BENCH_TOKEN: TOKEN };
    const start = await runCli(["server", "start", "--server-config", file, "--dir", artifacts], { env });
    expect(start.code, start.stderr).toBe(0);
    const clientUrl = /client:\s+(nats:\/\/\S+)/.exec(start.stdout)![1]!;
    const monitorUrl = /monitoring:\s+(http:\/\/\S+)/.exec(start.stdout)![1]!;
    expect(ports).not.toContain(Number(new URL(clientUrl).port));
    expect(ports).not.toContain(Number(new URL(monitorUrl).port));

    const varz = (await (await fetch(`${monitorUrl}/varz`)).json()) as {
      max_payload: number;
      auth_required: boolean;
      websocket: { host: string; port: number; no_tls: boolean };
      jetstream: { config: { max_memory: number; max_storage: number; store_dir: string } };
    };
    expect(varz.max_payload).toBe(64 * 1024);
    expect(varz.auth_required).toBe(true);
    expect(varz.websocket).toMatchObject({ host: "127.0.0.1", no_tls: true });
    expect(varz.websocket.port).toBeGreaterThan(0);
    expect(ports).not.toContain(varz.websocket.port);
    expect(varz.jetstream.config.max_memory).toBe(64 * 1024 * 1024);
    expect(varz.jetstream.config.max_storage).toBe(256 * 1024 * 1024);
    expect(varz.jetstream.config.store_dir).not.toContain("staging-store");
    expect(existsSync(join(dir.path, "staging-store"))).toBe(false);

    await expect(connect({ servers: clientUrl, reconnect: false })).rejects.toThrow(/Authorization/i);
    const nc = await connect({ servers: clientUrl, token: TOKEN, reconnect: false });
    await nc.close();

    const status = await runCli(["server", "status", "--json", "--dir", artifacts]);
    expect(JSON.parse(status.stdout).nodes[0].jetstream.maxStorageBytes).toBe(256 * 1024 * 1024);
    await expectNoSecrets(start, [artifacts], [TOKEN]);
  });

  it("run: the load goes to the server from the file, with the file's own token; the token is nowhere", async () => {
    await using dir = await tempDir();
    const { file } = await stagingConfig(dir.path);
    const profile = await writeProfile(dir.path, "cfg", LOAD.replace("SIZE", "512"));
    const out = join(dir.path, "artifacts");
    const env = { BENCH_TOKEN: TOKEN };
    const cli = await runCli(
      ["run", profile, "--server-config", file, "--json", "--no-charts", "--html", "--out", out],
      { env },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as RunResult;
    expect(result.complete).toBe(true);
    expect(result.env.embeddedServer).toBe(true);
    // Which file ran: its path and the hash of its bytes, in result.json and summary.md; the token is in
    // the file, and nowhere in either (expectNoSecrets below).
    const sha256 = createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
    expect(result.env.serverConfig).toEqual({ path: file, sha256 });
    const summary = await readFile(join(runArtifactsDir(out, result), "summary.md"), "utf8");
    expect(summary).toContain(`Server config \`${file}\`, sha256 \`${sha256}\`.`);
    expect(result.counts.published).toBeGreaterThan(1000);
    expect(result.counts.acked).toBe(result.counts.published);
    expect(result.counts.lost).toBe(0);
    expect(result.profile.auth).toBeUndefined();
    await expectNoSecrets(cli, [out], [TOKEN]);

    // The file's max_payload holds: a message above it is refused before any load.
    const big = await writeProfile(dir.path, "big", LOAD.replace("SIZE", "100KiB"));
    const refused = await runCli(["run", big, "--server-config", file, "--out", out], { env });
    expect(refused.code).toBe(2);
    expect(expectOneLineError(refused)).toContain("above the server's max_payload of 65536");
  });

  it("a file the server refuses: exit 2 with the server's reason, before and at start", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(dir.path, "cfg", LOAD.replace("SIZE", "128"));
    const run = (file: string, env: NodeJS.ProcessEnv = {}) =>
      runCli(["run", profile, "--server-config", file, "--out", join(dir.path, "a")], { env });
    const write = async (name: string, text: string) => {
      const file = join(dir.path, name);
      await writeFile(file, text);
      return file;
    };

    const unknown = await run(await write("unknown.conf", "port: 4999\nmax_payloadz: 1MB\n"));
    expect(unknown.code).toBe(2);
    expect(expectOneLineError(unknown)).toMatch(
      /^error: server config \S+unknown\.conf: nats-server refuses it: \S+unknown\.conf:2:1: unknown field "max_payloadz"; fix the file/,
    );

    const token = join(dir.path, "token.conf");
    await write("token.conf", "authorization { token: $UNSET_BENCH_TOKEN }\n");
    const unset = await run(token, { UNSET_BENCH_TOKEN: undefined });
    expect(unset.code).toBe(2);
    expect(expectOneLineError(unset)).toContain(
      "variable reference for 'UNSET_BENCH_TOKEN' on line 1 can not be found; set UNSET_BENCH_TOKEN in the environment or define it in the file",
    );

    // Accepted by `nats-server -t`, refused when it starts: still the file's fault, still exit 2.
    const atStart = await run(await write("ws.conf", "websocket { port: 8443 }\n"));
    expect(atStart.code).toBe(2);
    expect(expectOneLineError(atStart)).toMatch(
      /refuses it at start: websocket requires TLS configuration; fix the file$/,
    );

    const missing = await run(join(dir.path, "absent.conf"));
    expect(missing.code).toBe(2);
    expect(expectOneLineError(missing)).toContain("absent.conf");

    const both: CliResult = await runCli([
      "run",
      profile,
      "--server-config",
      token,
      "--server",
      "nats://127.0.0.1:1",
    ]);
    expect(both.code).toBe(2);
    expect(expectOneLineError(both)).toContain("leave out --server");
  });

  it("a multi-account file with per-tenant subject permissions runs a tenants profile", async () => {
    await using dir = await tempDir();
    const passwords = { ALPHA_PASSWORD: "alpha-pw-0451", BETA_PASSWORD: "beta-pw-0451" };
    const user = (name: string, variable: string) =>
      `{user: ${name}, password: $${variable}, permissions: {publish: ["${name}.>", "$JS.API.>", "$JS.ACK.>", "_INBOX.>"], subscribe: ["${name}.>", "_INBOX.>"]}}`;
    const file = join(dir.path, "accounts.conf");
    await writeFile(
      file,
      [
        "port: 4998",
        "jetstream { max_memory_store: 64MB, max_file_store: 256MB }",
        "accounts {",
        "  SYS { users: [{user: sys, password: sys-pw}] }",
        `  ALPHA { jetstream: enabled, users: [${user("alpha", "ALPHA_PASSWORD")}] }`,
        `  BETA { jetstream: enabled, users: [${user("beta", "BETA_PASSWORD")}] }`,
        "}",
        "system_account: SYS",
        "",
      ].join("\n"),
    );
    const profile = await writeProfile(
      dir.path,
      "tenants",
      `tenants:
  - name: alpha
    auth: {user: alpha, password: "\${ALPHA_PASSWORD}"}
    stream: {name: ALPHA, subjects: ["alpha.>"]}
    publishers:
      - {mode: jetstream, subject: alpha.orders, rate: 500}
    consumers:
      - {kind: pull}
  - name: beta
    auth: {user: beta, password: "\${BETA_PASSWORD}"}
    stream: {name: BETA, subjects: ["beta.>"]}
    publishers:
      - {mode: jetstream, subject: beta.orders, rate: 500}
    consumers:
      - {kind: pull}
warmup: 300ms
duration: 1500ms
drain: 1s
`,
    );
    const cli = await runCli(
      ["run", profile, "--server-config", file, "--json", "--no-charts", "--out", join(dir.path, "a")],
      { env: passwords },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as RunResult;
    const { alpha, beta } = result.tenants!;
    expect(result.env.serverConfig?.path).toBe(file);
    // Each user has what the subjects table asks for, and nothing was refused.
    expect(alpha!.counts.permissionViolations).toBe(0);
    expect(beta!.counts.permissionViolations).toBe(0);
    // Each account's stream took its own tenant's messages; beta got every one it published.
    expect(beta!.counts.consumed).toBe(beta!.counts.acked);
    for (const t of [alpha!, beta!]) {
      expect(t.counts.consumed).toBeGreaterThan(700);
      expect(t.counts.lost).toBe(0);
    }
    expect(cli.stdout + cli.stderr).not.toMatch(/pw-0451/);

    const noAuth = await writeProfile(
      dir.path,
      "noauth",
      "tenants:\n  - name: alpha\n    publishers: [{mode: core, subject: alpha.x, rate: 10}]\nduration: 1s\n",
    );
    const refused = await runCli(["run", noAuth, "--server-config", file]);
    expect(refused.code).toBe(2);
    expect(expectOneLineError(refused)).toContain(
      "tenants[0] (alpha) has no auth: on a server from --server-config",
    );
  });
});
