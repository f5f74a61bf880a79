/** `benchline server run -- CMD`: the command sees the server, its exit code passes through, the server always stops. */
import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { isProcessAlive } from "../src/server/process.js";
import { isPortFree } from "../src/util/ports.js";
import { cliPath, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

/**
 * The user's command: reads what benchline exported, asks /healthz, logs in over the NATS protocol
 * (CONNECT with NATS_TOKEN when set, then PING), writes what it saw to OUT, then exits with CODE, or
 * waits to be interrupted with "wait".
 */
const SCRIPT = `
import { connect } from "node:net";
import { writeFileSync } from "node:fs";
const [out, code, mode] = process.argv.slice(2);
const url = new URL(process.env.NATS_URL.split(",")[0]);
const health = await (await fetch(process.env.NATS_MONITOR_URL + "/healthz")).json();
const reply = await new Promise((resolve) => {
  const s = connect(Number(url.port), url.hostname);
  let buf = "";
  s.on("data", (d) => {
    buf += d;
    if (buf.startsWith("INFO") && !s.sent) {
      s.sent = true;
      const auth = process.env.NATS_TOKEN ? { auth_token: process.env.NATS_TOKEN } : {};
      s.write("CONNECT " + JSON.stringify({ verbose: false, ...auth }) + "\\r\\nPING\\r\\n");
    }
    const answer = /\\r\\n(PONG|-ERR[^\\r]*)\\r\\n/.exec(buf);
    if (answer) { resolve(answer[1]); s.destroy(); }
  });
});
writeFileSync(out, JSON.stringify({ url: process.env.NATS_URL, monitor: process.env.NATS_MONITOR_URL,
  token: process.env.NATS_TOKEN, health, reply, pid: process.pid }));
if (mode === "wait") setInterval(() => {}, 1000);
else if (mode === "crash") process.kill(process.pid, "SIGKILL");
else process.exit(Number(code));
`;

interface Seen {
  url: string;
  monitor: string;
  token?: string;
  health: { status: string };
  reply: string;
  pid: number;
}

async function setup(dir: string) {
  const script = join(dir, "check.mjs");
  await writeFile(script, SCRIPT);
  const out = join(dir, "seen.json");
  const artifacts = join(dir, "artifacts");
  const command = (code: number | "wait" | "crash") => [
    "--",
    process.execPath,
    script,
    out,
    ...(typeof code === "number" ? [String(code)] : ["0", code]),
  ];
  const seen = async () => JSON.parse(await readFile(out, "utf8")) as Seen;
  /** The server log of the only server run, which the stop leaves in the artifacts. */
  const log = async () => {
    const [run] = await readdir(artifacts);
    const files = await readdir(join(artifacts, run!));
    return Promise.all(files.map((f) => readFile(join(artifacts, run!, f), "utf8")));
  };
  return { artifacts, command, seen, log };
}

/** Every port of the URLs is free again: the server that held them is gone. */
async function expectStopped(urls: string[]): Promise<void> {
  for (const u of urls) expect(await isPortFree(Number(new URL(u).port))).toBe(true);
}

describe("benchline server run", () => {
  it("exports NATS_URL and NATS_MONITOR_URL, passes exit 0, stops the server and keeps its log", async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path);
    const r = await runCli(["server", "run", "--dir", s.artifacts, ...s.command(0)]);
    expect(r.code, r.stderr).toBe(0);
    const seen = await s.seen();
    expect(seen.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(seen.health.status).toBe("ok");
    expect(seen.reply).toBe("PONG");
    expect(seen.token).toBeUndefined();
    expect(r.stderr).toContain(`NATS_URL=${seen.url} NATS_MONITOR_URL=${seen.monitor}`);
    await expectStopped([seen.url, seen.monitor]);
    const [log] = await s.log();
    expect(log).toContain("Server is ready");
    expect(log).toContain("Server Exiting");
  });

  it("exits with the command's own non-zero code, and still stops the server", async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path);
    const r = await runCli(["server", "run", "--dir", s.artifacts, ...s.command(7)]);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/exited with code 7; the server was stopped, its log is in /);
    const seen = await s.seen();
    expect(seen.reply).toBe("PONG");
    await expectStopped([seen.url, seen.monitor]);
    expect((await s.log())[0]).toContain("Server Exiting");
  });

  it("a command that crashes: exit 128 + its signal, and the server stopped", async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path);
    const r = await runCli(["server", "run", "--dir", s.artifacts, ...s.command("crash")]);
    expect(r.code).toBe(128 + 9);
    expect(r.stderr).toMatch(/was ended by SIGKILL; the server was stopped/);
    const seen = await s.seen();
    await expectStopped([seen.url, seen.monitor]);
    expect((await s.log())[0]).toContain("Server Exiting");
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s to benchline while the command runs: the command gets it, the server stops, exit %i",
    async (signal, code) => {
      await using dir = await tempDir();
      const s = await setup(dir.path);
      const child = spawn(
        process.execPath,
        [cliPath, "server", "run", "--dir", s.artifacts, ...s.command("wait")],
        {
          stdio: "ignore",
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      let seen: Seen | undefined;
      for (let i = 0; i < 200 && !seen; i++) {
        seen = await s.seen().catch(() => undefined);
        if (!seen) await sleep(50);
      }
      expect(seen?.reply).toBe("PONG");
      expect(isProcessAlive(seen!.pid)).toBe(true);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(isProcessAlive(seen!.pid)).toBe(false);
      await expectStopped([seen!.url, seen!.monitor]);
      expect((await s.log())[0]).toContain("Server Exiting");
    },
  );

  it("--config with a token from the environment and --cluster 3: every node's URL, and NATS_TOKEN lets the command in", async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path);
    const config = join(dir.path, "nats-server.conf");
    await writeFile(config, "port: 4997\nauthorization { token: $BENCH_TOKEN }\njetstream: enabled\n");
    const r = await runCli(
      ["server", "run", "--config", config, "--cluster", "3", "--dir", s.artifacts, ...s.command(0)],
      {
        env: { BENCH_TOKEN: "run-token-8841" },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const seen = await s.seen();
    const urls = seen.url.split(",");
    expect(urls).toHaveLength(3);
    expect(urls.map((u) => new URL(u).port)).not.toContain("4997");
    expect(seen.token).toBe("run-token-8841");
    expect(seen.reply).toBe("PONG");
    expect(r.stderr).not.toContain("run-token-8841");
    await expectStopped(urls);
    const logs = await s.log();
    expect(logs).toHaveLength(3);
    for (const log of logs) expect(log).toContain("Server Exiting");
  });

  it("a command that does not exist: exit 2, and the server stopped", async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path);
    const r = await runCli(["server", "run", "--dir", s.artifacts, "--", join(dir.path, "no-such-command")]);
    expect(r.code).toBe(2);
    // The server's "ready" line, then the error, one line.
    const [ready, error, ...rest] = r.stderr.trim().split("\n");
    expect(ready).toMatch(/^nats-server ready: NATS_URL=/);
    expect(error).toMatch(/^error: \S+no-such-command: command not found; check the command after --$/);
    expect(rest).toEqual([]);
    expect((await s.log())[0]).toContain("Server Exiting");
  });
});
