/**
 * Failures met on a user's own deployment, each one line with its exit code and never a hang: a port
 * that accepts and never speaks NATS (a monitoring port given by mistake, a load balancer), a tls://
 * URL at a server without TLS (never plain text with the password), a server that wants credentials
 * when none were given, a --duration that would cut a fault off, an account with no room for the
 * profile's storage.
 */
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

async function silentPort(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe("a user's deployment, failing", () => {
  it("an account with no memory storage: smoke's memory stream refused in one line that says what to change", async () => {
    await using dir = await tempDir();
    const conf = join(dir.path, "nats.conf");
    // As users write it: unquoted sizes, an account of its own with file storage only.
    await writeFile(
      conf,
      `port: 4222\njetstream {\n  store_dir: ${join(dir.path, "store")}\n}\naccounts {\n  ORDERS {\n    jetstream {\n      max_mem: 0\n      max_file: 1G\n    }\n    users = [ { user: app, password: pw-orders-7781 } ]\n  }\n}\n`,
    );
    const cli = await runCli(["run", "profiles/smoke.yaml", "--server-config", conf, "--duration", "1s"], {
      env: { NATS_USER: "app", NATS_PASSWORD: "pw-orders-7781" },
    });
    expect(cli.code).toBe(3);
    expect(expectOneLineError(cli)).toMatch(
      /cannot set up stream BENCH_SMOKE: insufficient memory resources available; the account's \(or the server's\) JetStream max_mem \(memory\) limit leaves no room for this memory stream: raise it, or run a profile with stream\.storage: file$/,
    );
    expect(cli.stdout + cli.stderr).not.toContain("pw-orders-7781");
  });

  it("a port that never speaks NATS: one line, exit 3, and the process exits", async () => {
    const silent = await silentPort();
    try {
      const started = Date.now();
      const cli = await runCli(
        [
          "run",
          "profiles/smoke.yaml",
          "--server",
          `nats://127.0.0.1:${silent.port}`,
          "--connect-timeout",
          "1s",
        ],
        { timeoutMs: 30_000 },
      );
      expect(cli.code).toBe(3);
      expect(expectOneLineError(cli)).toMatch(/^error: cannot connect to nats:\/\/127\.0\.0\.1:\d+: timeout/);
      // Before the fix the line came after the timeout and the process never ended (killed at 30 s).
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await silent.close();
    }
  });

  it("tls:// at a server without TLS is refused, never run in plain text", async () => {
    await using server = await NatsServer.start({ auth: { user: "u", password: "pw-plain-4410" } });
    const url = server.clientUrl.replace("nats://", "tls://");
    const cli = await runCli(
      ["run", "profiles/smoke.yaml", "--server", url, "--user", "u", "--duration", "1s"],
      {
        env: { NATS_PASSWORD: "pw-plain-4410" },
      },
    );
    expect(cli.code).toBe(3);
    expect(expectOneLineError(cli)).toMatch(
      /TLS does not match the server \(server does not support 'tls'\)/,
    );
  });

  it("a server that wants credentials when none were given says so, and how to give them", async () => {
    await using server = await NatsServer.start({ auth: { token: "tok-needed-5512" } });
    const cli = await runCli(
      ["run", "profiles/smoke.yaml", "--server", server.clientUrl, "--duration", "1s"],
      {
        env: { NATS_TOKEN: "" },
      },
    );
    expect(cli.code).toBe(3);
    expect(expectOneLineError(cli)).toMatch(
      /requires credentials and none were given .*; pass --user and --password, --token, --nkey or --creds/,
    );
  });

  it("--duration that would cut a fault off is refused before anything runs", async () => {
    const cli = await runCli(["run", "profiles/failover-r3.yaml", "--duration", "10s"]);
    expect(cli.code).toBe(2);
    expect(expectOneLineError(cli)).toBe(
      "error: --duration 10s: fault leader-down lasts until 11 s of the measured phase; give --duration of at least that, with time after it to recover",
    );
  });
});
