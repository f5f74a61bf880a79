import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { NatsServer } from "../src/server/launcher.js";
import { isProcessAlive } from "../src/server/process.js";
import { expectOneLineError, runCli, startCli } from "./helpers/cli.js";
import { startDelayProxy } from "./helpers/delay-proxy.js";
import { writeProfile, writtenResult } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";
import { waitFor, waitForTraffic } from "./helpers/wait.js";

const coreProfile = `publishers:\n  - {mode: core, subject: f.x, rate: 1000}\nconsumers:\n  - {kind: core, subject: f.x}\nwarmup: 200ms\nduration: 1s\ndrain: 1s\n`;

/** nats-server processes a benchline process started (its children): others on the machine do not count. */
function embeddedServersOf(parent: number): string[] {
  try {
    return execFileSync("pgrep", ["-P", String(parent), "-f", "benchline-server-.*/nats-server.conf"])
      .toString()
      .trim()
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}

describe("benchline run: bad input", () => {
  it.each([
    [
      "malformed YAML",
      "publishers:\n  - subject: a\n   rate: [1,\n",
      /^error: .*bad\.yaml:3:1: malformed YAML: /,
    ],
    [
      "an unknown key",
      `${coreProfile}colour: blue\n`,
      /^error: .*bad\.yaml: unknown key colour; remove it or check the spelling$/,
    ],
    [
      "a wrong type",
      coreProfile.replace("rate: 1000", "rate: lots"),
      /bad\.yaml: publishers\[0\]\.rate: must be a positive number/,
    ],
    [
      "a zero rate",
      coreProfile.replace("rate: 1000", "rate: 0"),
      /bad\.yaml: publishers\[0\]\.rate: must be a positive number/,
    ],
  ])("%s: exit 2, one line", async (_what, text, message) => {
    await using dir = await tempDir();
    const file = join(dir.path, "bad.yaml");
    await writeFile(file, text);
    const r = await runCli(["run", file, "--out", join(dir.path, "a")]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(message);
  });

  it("a message above the server's max_payload is refused before any load", async () => {
    await using dir = await tempDir();
    const file = await writeProfile(
      dir.path,
      "big",
      coreProfile.replace("rate: 1000", "rate: 10, size: 2MiB"),
    );
    const r = await runCli(["run", file, "--out", join(dir.path, "a")]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(
      /publishers\[0\]\.size: 2097152 bytes is above the server's max_payload of 1048576/,
    );
  });

  it("a stream whose subjects overlap an existing stream is exit 2", async () => {
    await using server = await NatsServer.start();
    const nc = await connect({ servers: server.clientUrl });
    await (await jetstreamManager(nc)).streams.add({ name: "OTHER", subjects: ["f.>"] });
    await nc.close();
    await using dir = await tempDir();
    const file = await writeProfile(
      dir.path,
      "overlap",
      `stream: {name: MINE, subjects: ["f.js.>"]}\npublishers:\n  - {mode: jetstream, subject: f.js.a, rate: 100}\nduration: 1s\n`,
    );
    const r = await runCli(["run", file, "--server", server.clientUrl, "--out", join(dir.path, "a")]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(
      /stream\.subjects f\.js\.> overlap an existing stream on the server/,
    );
  });

  it("an unreachable server is exit 3 within the connect timeout", async () => {
    await using dir = await tempDir();
    const file = await writeProfile(dir.path, "unreach", coreProfile);
    const t0 = Date.now();
    const r = await runCli(["run", file, "--server", "nats://127.0.0.1:1", "--out", join(dir.path, "a")]);
    expect(r.code).toBe(3);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(expectOneLineError(r)).toBe(
      "error: cannot connect to nats://127.0.0.1:1: connection refused; check --server and that nats-server runs there",
    );
  });

  it("a --server flag before the profile takes one URL, not the profile too", async () => {
    await using dir = await tempDir();
    const file = await writeProfile(dir.path, "order", coreProfile);
    const r = await runCli(["run", "--server", "nats://127.0.0.1:1", file, "--out", join(dir.path, "a")]);
    expect(r.code).toBe(3);
    expect(expectOneLineError(r)).toContain("cannot connect to nats://127.0.0.1:1: connection refused");
  });

  it.each([
    [["--rate", "1e12"], "--rate must be above 0 and at most 10000000 msgs/s, not 1000000000000"],
    [["--workers", "10000"], "--workers must be a whole number from 1 to 64, not 10000"],
    [["--duration", "0"], "--duration must be above zero"],
    [["--bogus"], "Unknown argument: bogus"],
  ])("flags %j: exit 2", async (flags, message) => {
    await using dir = await tempDir();
    const file = await writeProfile(dir.path, "flags", coreProfile);
    const r = await runCli(["run", file, ...flags, "--out", join(dir.path, "a")]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toContain(message);
  });
});

describe("benchline run: faults mid-run", () => {
  // Closed loop waits on PINGs that nats.js never answers once it gives up: the close must end the wait.
  it.each([
    ["open loop", "rate: 1000"],
    ["closed loop", "rate: max, maxInFlight: 2000"],
  ])(
    "a server that goes away ends the run with exit 3 and a partial result, not a hang (%s)",
    async (_, rate) => {
      const server = await NatsServer.start();
      await using dir = await tempDir();
      const file = await writeProfile(
        dir.path,
        "gone",
        coreProfile.replace("duration: 1s", "duration: 30s").replace("rate: 1000", rate),
      );
      const running = runCli(
        ["run", file, "--server", server.clientUrl, "--out", join(dir.path, "artifacts")],
        { timeoutMs: 30_000 },
      );
      await waitForTraffic(server, 1000);
      process.kill(server.pid, "SIGKILL");
      const t0 = Date.now();
      const r = await running;
      await server.stop();
      expect(r.code).toBe(3);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.stderr).toMatch(/error: the run failed: thread \d: lost the connection to the server \(/);
      const result = await writtenResult(dir.path);
      expect(result.complete).toBe(false);
      expect(result.counts.published).toBeGreaterThan(500);
    },
  );

  it("a network blip: every connection reconnects, the run completes, and the reconnects are counted", async () => {
    await using server = await NatsServer.start();
    await using proxy = await startDelayProxy(server.clientUrl, 0);
    await using dir = await tempDir();
    const file = await writeProfile(
      dir.path,
      "blip",
      `${coreProfile.replace("duration: 1s", "duration: 3s")}workers: 2\nconnectionsPerWorker: 2\n`,
    );
    const running = runCli([
      "run",
      file,
      "--server",
      proxy.url,
      "--reconnect-wait",
      "100ms",
      "--json",
      "--out",
      join(dir.path, "a"),
    ]);
    // Every load connection up (2 threads x 2, and the control connection), and messages flowing.
    await waitFor("five connections", () => proxy.accepted >= 5);
    await waitForTraffic(server, 500);
    proxy.cutAll();
    const r = await running;
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.complete).toBe(true);
    // Two threads with two connections each; the control connection is not a load connection.
    expect(result.counts.reconnects).toBe(4);
    expect(result.warnings).toContain("4 reconnects during the run");
  });

  it("Ctrl-C stops within two seconds: partial result, stream deleted, exit 130", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    const file = await writeProfile(
      dir.path,
      "intr",
      `stream: {name: INTR, subjects: ["i.>"]}\npublishers:\n  - {mode: jetstream, subject: i.a, rate: 1000}\nconsumers:\n  - {kind: pull}\nduration: 30s\n`,
    );
    const cli = startCli(["run", file, "--server", server.clientUrl, "--out", join(dir.path, "artifacts")]);
    await waitForTraffic(server, 1000);
    const t0 = Date.now();
    const code = await cli.interrupt();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(code).toBe(130);
    expect(cli.stderr()).toMatch(/interrupted: run interrupted; partial result in .*result\.json/);
    expect((await writtenResult(dir.path)).complete).toBe(false);
    const nc = await connect({ servers: server.clientUrl });
    const names: string[] = [];
    for await (const n of (await jetstreamManager(nc)).streams.names()) names.push(n);
    await nc.close();
    expect(names).not.toContain("INTR");
  });

  it("Ctrl-C on an embedded run stops its nats-server", async () => {
    await using dir = await tempDir();
    const file = await writeProfile(dir.path, "intr2", coreProfile.replace("duration: 1s", "duration: 30s"));
    const cli = startCli(["run", file, "--out", join(dir.path, "artifacts")]);
    await waitFor("its nats-server", () => embeddedServersOf(cli.pid).length === 1);
    const [server] = embeddedServersOf(cli.pid);
    const code = await cli.interrupt();
    expect(code).toBe(130);
    expect(isProcessAlive(Number(server))).toBe(false);
  });
});
