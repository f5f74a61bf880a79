import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isProcessAlive } from "../src/server/process.js";
import { isPortFree } from "../src/util/ports.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

// Each test gets its own artifacts dir; afterEach stops whatever a test left running.
const dirs: string[] = [];
async function artifactsDir(): Promise<string> {
  const d = await tempDir();
  dirs.push(d.path);
  return d.path;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await runCli(["server", "stop", "--dir", dir]);
});

const pidsOf = async (dir: string) =>
  (await readFile(join(dir, "server", "nats-server.pid"), "utf8")).trim().split("\n").map(Number);

describe("benchline server", () => {
  it("start is idempotent, status reports a real server, stop frees the ports", async () => {
    const dir = await artifactsDir();
    const first = await runCli(["server", "start", "--dir", dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/started nats-server 2\.\d+\.\d+/);
    const clientUrl = /client:\s+(nats:\/\/\S+)/.exec(first.stdout)![1]!;
    expect(first.stdout).toMatch(/monitoring:\s+http:\/\/127\.0\.0\.1:\d+/);
    const [pid] = await pidsOf(dir);

    const again = await runCli(["server", "start", "--dir", dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already running");
    expect(await pidsOf(dir)).toEqual([pid]);

    const status = await runCli(["server", "status", "--json", "--dir", dir]);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed.healthy).toBe(true);
    expect(parsed.nodes[0]).toMatchObject({ pid, running: true, healthy: true, clientUrl, connections: 0 });
    expect(parsed.nodes[0].version).toMatch(/^2\./);
    expect(parsed.nodes[0].jetstream.maxStorageBytes).toBeGreaterThan(0);
    expect(parsed.logTail).toContain("Server is ready");

    const table = await runCli(["server", "status", "--dir", dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ health\s+│ ok/);
    expect(table.stdout).toContain("js file storage");

    const stopped = await runCli(["server", "stop", "--dir", dir]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain("ports are free");
    expect(isProcessAlive(pid!)).toBe(false);
    expect(await isPortFree(Number(new URL(clientUrl).port))).toBe(true);

    const stopAgain = await runCli(["server", "stop", "--dir", dir]);
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stdout).toContain("no server was running");
  });

  it("status --watch prints rates", async () => {
    const dir = await artifactsDir();
    expect((await runCli(["server", "start", "--dir", dir])).code).toBe(0);
    const watched = await runCli(["server", "status", "--dir", dir, "--watch", "0.2", "--samples", "2"]);
    expect(watched.code).toBe(0);
    expect(watched.stdout.match(/benchline server healthy/g)).toHaveLength(2);
    expect(watched.stdout).toMatch(/msgs\/s in \/ out\s+│ \d+ \/ \d+/);
  });

  it("reports a SIGKILLed server as not running, and a new start recovers", async () => {
    const dir = await artifactsDir();
    expect((await runCli(["server", "start", "--dir", dir])).code).toBe(0);
    const [pid] = await pidsOf(dir);
    process.kill(pid!, "SIGKILL");
    for (let i = 0; i < 50 && isProcessAlive(pid!); i++) await new Promise((r) => setTimeout(r, 20));

    const status = await runCli(["server", "status", "--dir", dir]);
    expect(status.code).toBe(3);
    expect(expectOneLineError(status)).toMatch(/is not running \(pid \d+ is gone\)/);

    const restart = await runCli(["server", "start", "--dir", dir]);
    expect(restart.code).toBe(0);
    expect(restart.stderr).toContain("removed stale pid file");
    expect((await pidsOf(dir))[0]).not.toBe(pid);
  });

  it("starts a 3-node cluster whose nodes share a JetStream meta leader", async () => {
    const dir = await artifactsDir();
    const started = await runCli(["server", "start", "--cluster", "3", "--dir", dir]);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain("3-node cluster");
    const status = JSON.parse((await runCli(["server", "status", "--json", "--dir", dir])).stdout);
    expect(status.nodes).toHaveLength(3);
    const leaders = new Set(
      status.nodes.map((n: { jetstream: { metaLeader: string } }) => n.jetstream.metaLeader),
    );
    expect(leaders.size).toBe(1);
    const pids = await pidsOf(dir);
    expect((await runCli(["server", "stop", "--dir", dir])).code).toBe(0);
    expect(pids.every((p) => !isProcessAlive(p))).toBe(true);
  });

  it("status exits 3 when nothing runs", async () => {
    const dir = await artifactsDir();
    const status = await runCli(["server", "status", "--dir", dir]);
    expect(status.code).toBe(3);
    expect(expectOneLineError(status)).toBe(
      `error: no server is running from ${dir}; start one with \`benchline server start --dir ${dir}\``,
    );
  });
});

describe("benchline server: bad input and faults", () => {
  it("says how to install nats-server when it is missing", async () => {
    const dir = await artifactsDir();
    const r = await runCli(["server", "start", "--dir", dir], {
      env: { NATS_SERVER_BIN: "/nonexistent/nats-server" },
    });
    expect(r.code).toBe(3);
    expect(expectOneLineError(r)).toMatch(
      /NATS_SERVER_BIN=\/nonexistent\/nats-server is not an executable file; install it with `apt-get install -y nats-server`/,
    );
  });

  it("says when a port is already in use", async () => {
    const busy = await artifactsDir();
    const first = await runCli(["server", "start", "--dir", busy]);
    const port = new URL(/client:\s+(nats:\/\/\S+)/.exec(first.stdout)![1]!).port;
    const dir = await artifactsDir();
    const r = await runCli(["server", "start", "--dir", dir, "--port", port]);
    expect(r.code).toBe(3);
    expect(expectOneLineError(r)).toContain(`port ${port} is already in use`);
  });

  it("refuses an artifacts dir it cannot write", async () => {
    const parent = await artifactsDir();
    await writeFile(join(parent, "a-file"), "x");
    const r = await runCli(["server", "start", "--dir", join(parent, "a-file", "artifacts")]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(
      /artifacts dir .*a-file\/artifacts\/server is not writable \(ENOTDIR\)/,
    );
  });

  it("refuses a store dir it cannot write", async () => {
    const dir = await artifactsDir();
    await writeFile(join(dir, "a-file"), "x");
    const r = await runCli(["server", "start", "--dir", dir, "--store", join(dir, "a-file", "store")]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(
      /store dir .* is not writable \(ENOTDIR\); choose a writable directory/,
    );
  });

  it("reports a server that dies during start, with its last log line", async () => {
    const dir = await artifactsDir();
    const fake = join(dir, "fake-nats-server");
    await writeFile(fake, "#!/bin/sh\necho 'nats-server: configuration is broken' >&2\nexit 1\n");
    await chmod(fake, 0o755);
    const r = await runCli(["server", "start", "--dir", dir], { env: { NATS_SERVER_BIN: fake } });
    expect(r.code).toBe(3);
    expect(expectOneLineError(r)).toBe(
      "error: nats-server exited during start: nats-server: configuration is broken",
    );
  });

  it.each([
    [["server", "start", "--bogus"], /Unknown arguments?: bogus/],
    [["server", "start", "--port", "99999"], /--port must be a port number from 1 to 65535, not 99999/],
    [["server", "start", "--cluster", "0"], /--cluster must be a whole number from 1 to 7, not 0/],
    [["server", "status", "--watch", "-1"], /--watch must be a positive number of seconds/],
    [["server", "restart"], /Unknown arguments?: .*restart/],
    [["server", "start", "--js-max-file", "lots"], /--js-max-file: "lots" is not a size/],
  ])("exits 2 on bad usage: %j", async (args, message) => {
    const dir = await artifactsDir();
    const r = await runCli([...args, "--dir", dir]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(message);
  });

  it("refuses a corrupted pid file and says what to do", async () => {
    const dir = await artifactsDir();
    expect((await runCli(["server", "start", "--dir", dir])).code).toBe(0);
    const [pid] = await pidsOf(dir);
    await writeFile(join(dir, "server", "nats-server.pid"), "not-a-pid\n");
    for (const action of ["start", "status", "stop"]) {
      const r = await runCli(["server", action, "--dir", dir]);
      expect(r.code).toBe(3);
      expect(expectOneLineError(r)).toMatch(
        /nats-server\.pid is corrupted \(it does not hold process ids\); stop any/,
      );
    }
    process.kill(pid!, "SIGTERM");
  });
});
