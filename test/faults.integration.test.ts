import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { NatsServer } from "../src/server/launcher.js";
import { isProcessAlive } from "../src/server/process.js";
import { pickFreePort } from "../src/util/ports.js";
import { expectOneLineError, runCli, startCli } from "./helpers/cli.js";
import { runJson, writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";
import { waitFor } from "./helpers/wait.js";

/** The state letter of a process (R, S, T for stopped, ...). */
/** The pid in a pid file, or 0 while it is not written yet. */
const readPid = (file: string): number => {
  try {
    return Number(readFileSync(file, "utf8").trim()) || 0;
  } catch {
    return 0;
  }
};
const procState = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^\d+ \(.*\) /, "")[0];

describe("faults on benchline's own servers", () => {
  it("a 2 s pause reads as about 2 s unavailable, and as an e2e max of at least 2 s", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "freeze",
      `stream: {name: FREEZE, subjects: ["fz.>"]}
publishers: [{mode: jetstream, subject: fz.x, rate: 1000}]
consumers: [{kind: pull}]
warmup: 1s
duration: 5s
drain: 2s
faults: [{kind: pause, at: 2s, for: 2s, name: freeze}]
`,
    );
    const { result } = await runJson(profile, dir.path);
    const f = result.faults![0]!;
    expect(f).toMatchObject({ name: "freeze", kind: "pause", fired: true, node: { index: 1 } });
    // The pause is timed by benchline's timers: never shorter, and late by scheduling at most.
    expect(f.forS).toBeGreaterThanOrEqual(2);
    expect(f.unavailableMs).toBeGreaterThanOrEqual(1900);
    expect(f.unavailableMs).toBeLessThan(3500);
    expect(result.latency.e2e!.maxUs).toBeGreaterThanOrEqual(1_950_000);
    // Latency by intended send time: messages meant for the frozen seconds waited for the thaw.
    expect(f.latency.during!.p50Us).toBeGreaterThan(500_000);
    expect(f.latency.before!.p50Us).toBeLessThan(100_000);
    expect(result.counts.lostAcked).toBe(0);
  });

  it("finds acknowledged messages that are really gone: a memory stream's server killed", async () => {
    await using dir = await tempDir();
    // A standalone server keeps a memory stream in memory only: killed, it comes back without it.
    const profile = await writeProfile(
      dir.path,
      "memcrash",
      `stream: {name: MEMCRASH, subjects: ["mc.>"], storage: memory}
publishers: [{mode: jetstream, subject: mc.x, rate: 500, ackTimeout: 1s}]
warmup: 500ms
duration: 3s
drain: 1s
faults: [{kind: kill, at: 1s, for: 500ms, name: crash}]
`,
    );
    const { result } = await runJson(profile, dir.path);
    expect(result.readBack).toMatchObject({ stream: "MEMCRASH", streamGone: true, removedByLimits: 0 });
    expect(result.counts.acked).toBeGreaterThan(500);
    // Every acknowledged message is gone, and counted.
    expect(result.counts.lostAcked).toBe(result.counts.acked);
    expect(result.warnings.join("\n")).toMatch(
      /messages acknowledged, then gone from the stream: not in it when read back/,
    );
  });

  it("does not count what the stream's own limits removed as lost", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "limited",
      `stream: {name: LIMITED, subjects: ["lm.>"], maxMsgs: 300}
publishers: [{mode: jetstream, subject: lm.x, rate: 1000}]
warmup: 500ms
duration: 2s
drain: 1s
faults: [{kind: pause, at: 1s, for: 300ms}]
`,
    );
    const { result } = await runJson(profile, dir.path);
    expect(result.readBack!.messages).toBe(300);
    expect(result.readBack!.removedByLimits).toBe(result.counts.acked - 300);
    expect(result.counts.lostAcked).toBe(0);
  });

  it("kills the leader of an R3 file stream: a new leader takes over and nothing acknowledged is lost", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "failover",
      `stream: {name: FAILOVER, subjects: ["fo.>"], replicas: 3}
publishers: [{mode: jetstream, subject: fo.x, rate: 500, ackTimeout: 2s}]
consumers: [{kind: pull}]
warmup: 1s
duration: 7s
drain: 3s
faults: [{kind: kill, target: streamLeader, at: 2s, for: 3s, name: leader-down}]
`,
    );
    const { result } = await runJson(profile, dir.path, ["--no-charts"]);
    const f = result.faults![0]!;
    expect(f.node!.name).toMatch(/^benchline-n[123]$/);
    expect(f.error).toBeUndefined();
    expect(result.counts.lostAcked).toBe(0);
    expect(result.readBack!.acknowledged).toBe(result.counts.acked);
    // Publishes stall while the stream elects a new leader.
    expect(f.unavailableMs).toBeGreaterThan(100);
    // Whether the rate and p99 are back before the run ends depends on the machine; either way it says so.
    expect(f.recovered || f.recoveryMs === undefined).toBe(true);
  });

  it("fires every kind on every target it takes, and names the leaders it resolved", async () => {
    await using dir = await tempDir();
    // Spaced so that each election settles before the next fault looks for a leader.
    const profile = await writeProfile(
      dir.path,
      "everykind",
      `stream: {name: EVERY, subjects: ["ev.>"], replicas: 3}
publishers: [{mode: jetstream, subject: ev.x, rate: 300, ackTimeout: 2s}]
consumers: [{kind: pull}]
warmup: 1s
duration: 18s
drain: 2s
faults:
  - {kind: stepdown, of: stream, at: 1s, name: sd-stream}
  - {kind: stepdown, of: consumer, at: 1700ms, name: sd-consumer}
  - {kind: stepdown, of: meta, at: 2400ms, name: sd-meta}
  - {kind: network, target: clients, at: 3s, for: 300ms, delay: 5ms, jitter: 2ms, name: net-clients}
  - {kind: network, target: 2, at: 3600ms, for: 300ms, blackhole: true, name: net-node}
  - {kind: network, target: streamLeader, at: 4200ms, for: 300ms, reset: true, name: net-leader}
  - {kind: pause, target: consumerLeader, at: 5s, for: 500ms, name: pause-consumer-leader}
  - {kind: restart, target: streamLeader, at: 6500ms, for: 500ms, name: restart-leader}
  - {kind: lameDuck, target: metaLeader, at: 9500ms, for: 1s, name: lameduck-meta}
  - {kind: kill, target: 1, at: 12500ms, for: 1s, name: kill-node1}
  - {kind: pause, target: random, at: 15500ms, for: 300ms, name: pause-random}
`,
    );
    const { result } = await runJson(profile, dir.path, ["--no-charts"]);
    const faults = result.faults!;
    for (const f of faults) {
      expect({ name: f.name, fired: f.fired, error: f.error }).toEqual({
        name: f.name,
        fired: true,
        error: undefined,
      });
    }
    const byName = new Map(faults.map((f) => [f.name, f]));
    for (const leaderTargeted of ["net-leader", "pause-consumer-leader", "restart-leader", "lameduck-meta"])
      expect(byName.get(leaderTargeted)!.node!.name).toMatch(/^benchline-n[123]$/);
    expect(byName.get("net-node")!.node).toEqual({ index: 2, name: "benchline-n2" });
    expect(byName.get("kill-node1")!.node).toEqual({ index: 1, name: "benchline-n1" });
    expect(byName.get("net-clients")!.node).toBeUndefined();
    expect(result.counts.lostAcked).toBe(0);
  }, 90_000);
});

describe("faults on servers benchline did not start", () => {
  it("refuses a process fault without commands before anything runs", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "nocommands",
      `stream: {name: NOCMD, subjects: ["nc.>"]}
publishers: [{mode: jetstream, subject: nc.x, rate: 100}]
faults: [{kind: kill, at: 1s, for: 1s, name: crash}]
`,
    );
    const cli = await runCli(["run", profile, "--server", server.clientUrl, "--out", join(dir.path, "a")]);
    expect(cli.code).toBe(2);
    expect(expectOneLineError(cli)).toMatch(
      /^error: .*nocommands\.yaml: faults\[0\] \(crash\): a kill on servers benchline did not start needs command\.kill and command\.start \(benchline never guesses a pid\)/,
    );
    // Nothing ran: no stream was made.
    const nc = await connect({ servers: server.clientUrl });
    expect((await (await jetstreamManager(nc)).streams.names().next()).length).toBe(0);
    await nc.close();
  });

  it("takes network faults without commands: the links go through benchline's proxy", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "namednet",
      `stream: {name: NAMEDNET, subjects: ["nn.>"]}
publishers: [{mode: jetstream, subject: nn.x, rate: 500}]
consumers: [{kind: pull}]
warmup: 500ms
duration: 3s
drain: 1s
faults: [{kind: network, at: 1s, for: 1s, delay: 30ms, name: slow}]
`,
    );
    const { result } = await runJson(profile, dir.path, ["--server", server.clientUrl, "--no-charts"]);
    const f = result.faults![0]!;
    expect(f).toMatchObject({ fired: true, target: "clients" });
    expect(f.error).toBeUndefined();
    // 30 ms each way on the publish and on its PubAck while the fault is on.
    expect(f.latency.during!.p50Us).toBeGreaterThanOrEqual(60_000);
    expect(f.latency.before!.p50Us).toBeLessThan(60_000);
  });

  it("Ctrl-C during a pause thaws the server through the profile's resume command", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "pausecmd",
      `stream: {name: PAUSECMD, subjects: ["pc.>"]}
publishers: [{mode: jetstream, subject: pc.x, rate: 200, ackTimeout: 1s}]
warmup: 500ms
duration: 30s
faults:
  - kind: pause
    target: 1
    at: 500ms
    for: 20s
    name: frozen
    command: {pause: "kill -STOP ${server.pid}", resume: "kill -CONT ${server.pid}"}
`,
    );
    const run = startCli(["run", profile, "--server", server.clientUrl, "--out", join(dir.path, "a")]);
    await waitFor("the pause", () => run.stderr().includes("fault frozen: on"));
    // kill(2) returns once SIGSTOP is queued; a loaded host may take a moment to stop the process.
    await waitFor("the server to stop", () => procState(server.pid) === "T", 5000);
    expect(await run.interrupt()).toBe(130);
    await waitFor("the server to run again", () => procState(server.pid) !== "T", 5000);
    expect((await server.monitor.healthz()).ok).toBe(true);
  });

  it("Ctrl-C during a kill starts the server again through the profile's start command", async () => {
    await using dir = await tempDir();
    const [port, monitorPort] = [await pickFreePort(), await pickFreePort()];
    const server = await NatsServer.start({ port, monitorPort });
    const conf = join(server.runDir, "nats-server.conf");
    const pidFile = join(dir.path, "restarted.pid");
    const bin = execFileSync("sh", ["-c", "command -v nats-server || echo /usr/sbin/nats-server"])
      .toString()
      .trim();
    let restartedPid: number | undefined;
    try {
      const profile = await writeProfile(
        dir.path,
        "killcmd",
        `stream: {name: KILLCMD, subjects: ["kc.>"]}
publishers: [{mode: jetstream, subject: kc.x, rate: 200, ackTimeout: 1s}]
warmup: 500ms
duration: 30s
faults:
  - kind: kill
    target: 1
    at: 500ms
    for: 20s
    name: down
    command: {kill: "kill -KILL ${server.pid}", start: "${bin} -c ${conf} -P ${pidFile} >/dev/null 2>&1 &"}
`,
      );
      const run = startCli(["run", profile, "--server", server.clientUrl, "--out", join(dir.path, "a")]);
      await waitFor("the kill", () => run.stderr().includes("fault down: on"));
      await waitFor("the server to die", () => !isProcessAlive(server.pid));
      expect(await run.interrupt()).toBe(130);
      // The start command puts the server in the background: its pid file and ports come a moment later.
      await waitFor("the restarted server's pid file", () => readPid(pidFile) > 0, 10_000);
      restartedPid = readPid(pidFile);
      await waitFor("the restarted server", () => isProcessAlive(restartedPid!), 5000);
      const healthy = async () => (await server.monitor.healthz().catch(() => ({ ok: false }))).ok;
      await waitFor("the restarted server to answer /healthz", healthy, 10_000);
    } finally {
      if (restartedPid) process.kill(restartedPid, "SIGKILL");
      await server.stop();
    }
  });
});
