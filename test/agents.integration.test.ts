import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NatsServer } from "../src/server/launcher.js";
import { startAgents } from "./helpers/agents.js";
import { runCli, startCli } from "./helpers/cli.js";
import { runJson, writeProfile, writtenResult } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";
import { waitFor, waitForTraffic } from "./helpers/wait.js";

const jsLoad = (duration: string) =>
  `stream: {name: AG, subjects: ["ag.>"], storage: memory}
publishers:
  - {mode: jetstream, subject: ag.x, count: 4, rate: 2000, size: 128}
consumers:
  - {kind: pull, count: 2}
warmup: 500ms
duration: ${duration}
drain: 2s
`;

const agentFlags = (url: string, n: number | string) => ["--agents", String(n), "--control", url];

describe("agents on this host, as separate processes", () => {
  it("two agents run the profile's whole load: totals, histograms and env as one process measures them", async () => {
    await using server = await NatsServer.start();
    // A control server with a 4 KiB max_payload: the results (several KiB) come back in parts.
    await using control = await NatsServer.start({ maxPayloadBytes: 4096 });
    await using dir = await tempDir();
    await using _fleet = await startAgents(control.clientUrl, ["a1", "a2"]);
    const profile = await writeProfile(dir.path, "two", jsLoad("2s"));
    const url = server.clientUrl;
    const local = (await runJson(profile, dir.path, ["--server", url])).result;
    const { result } = await runJson(profile, dir.path, [
      "--server",
      url,
      ...agentFlags(control.clientUrl, 2),
    ]);

    // 2000 msgs/s open loop over 0.5 s warmup and 2 s measured: 5000 sent, 4000 of them measured.
    for (const r of [local, result]) {
      expect(r.complete).toBe(true);
      expect(r.counts).toMatchObject({
        published: 5000,
        acked: 5000,
        consumed: 5000,
        lost: 0,
        duplicates: 0,
      });
      expect(r.latency.e2e!.count).toBe(4000);
      expect(r.latency.pubAck!.count).toBe(4000);
      expect(r.throughput.publishedPerSec).toBeCloseTo(2000, -2);
    }
    // Percentiles from merged histograms: the same order of magnitude on a noisy shared machine.
    for (const kind of ["pubAck", "e2e"] as const) {
      expect(result.latency[kind]!.p50Us).toBeLessThan(local.latency[kind]!.p50Us * 5 + 2000);
      expect(local.latency[kind]!.p50Us).toBeLessThan(result.latency[kind]!.p50Us * 5 + 2000);
    }
    const agents = result.env.agents!;
    expect(agents.map((a) => a.name)).toEqual(["a1", "a2"]);
    for (const a of agents) {
      expect(a).toMatchObject({
        share: 0.5,
        clients: 3,
        ratePerSec: 1000,
        clock: "shared",
        clockOffsetUs: 0,
      });
      expect(a.cpuPercent).toBeGreaterThan(0);
    }
    expect(result.env.workerThreads).toBe(agents.reduce((n, a) => n + a.threads, 0));
    // Every second's snapshot came over the control server: they add up to the whole run.
    expect(result.intervals.reduce((n, p) => n + p.published, 0)).toBe(5000);
    expect(result.intervals.reduce((n, p) => n + p.consumed, 0)).toBe(5000);
    expect(result.warnings.join("\n")).not.toMatch(/clocks agree/);
  });

  it("an agent killed mid-run ends the run within seconds: exit 3, a partial result naming it", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    await using fleet = await startAgents(server.clientUrl, ["a1", "a2"]);
    const profile = await writeProfile(dir.path, "killed", jsLoad("30s"));
    const url = server.clientUrl;
    const run = runCli(
      [
        "run",
        profile,
        "--server",
        url,
        ...agentFlags(url, 2),
        "--out",
        join(dir.path, "artifacts"),
        "--no-charts",
      ],
      { cwd: dir.path },
    );
    await waitForTraffic(server, 4000);
    const killedAt = Date.now();
    await fleet.byName.a2!.kill();
    const cli = await run;
    expect(cli.code).toBe(3);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(cli.stderr).toMatch(/error: the run failed: agent a2 \(\S+\) is gone/);
    const result = await writtenResult(dir.path);
    expect(result.complete).toBe(false);
    expect(result.abortReason).toMatch(/agent a2/);
    // a1's share came back: its publishers' counts are in the partial result.
    expect(result.counts.published).toBeGreaterThan(0);
    expect(result.env.agents!.map((a) => a.name)).toEqual(["a1", "a2"]);
    await waitFor("a1 idle again", async () => (await agentStates(url))[0]?.status?.busy === false);
  });

  it("an agent that stops answering (frozen) or a control server lost ends the run within seconds", async () => {
    await using load = await NatsServer.start();
    await using dir = await tempDir();
    const profile = await writeProfile(dir.path, "frozen", jsLoad("30s"));
    const runOn = (control: string, out: string) =>
      runCli(
        ["run", profile, "--server", load.clientUrl, ...agentFlags(control, 2)].concat([
          "--out",
          join(dir.path, out, "artifacts"),
          "--no-charts",
        ]),
        { cwd: dir.path },
      );
    {
      await using control = await NatsServer.start();
      await using fleet = await startAgents(control.clientUrl, ["a1", "a2"]);
      const run = runOn(control.clientUrl, "frozen");
      const from = (await load.monitor.varz()).inMsgs;
      await waitForTraffic(load, 4000, from);
      const frozenAt = Date.now();
      process.kill(fleet.byName.a1!.pid, "SIGSTOP");
      const cli = await run;
      expect(cli.code).toBe(3);
      expect(Date.now() - frozenAt).toBeLessThan(10_000);
      expect(cli.stderr).toMatch(
        /error: the run failed: agent a1 \(\S+\) did not answer update within 2000 ms/,
      );
      expect((await writtenResult(join(dir.path, "frozen"))).complete).toBe(false);
    }
    {
      await using control = await NatsServer.start();
      await using _fleet = await startAgents(control.clientUrl, ["b1", "b2"]);
      const run = runOn(control.clientUrl, "cut");
      const from = (await load.monitor.varz()).inMsgs;
      await waitForTraffic(load, 4000, from);
      const cutAt = Date.now();
      await control.stop();
      const cli = await run;
      expect(cli.code).toBe(3);
      expect(Date.now() - cutAt).toBeLessThan(10_000);
      expect(cli.stderr).toMatch(
        /error: the run failed: lost the control connection to nats:\/\/127.0.0.1:\d+/,
      );
      const result = await writtenResult(join(dir.path, "cut"));
      expect(result.complete).toBe(false);
      expect(result.abortReason).toMatch(/lost the control connection/);
    }
  });

  it("a busy agent refuses a second run clearly; Ctrl-C stops the first run's share", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    await using _agents = await startAgents(server.clientUrl, ["a1"], ["--tag", "solo"]);
    const profile = await writeProfile(dir.path, "busy", jsLoad("60s"));
    const url = server.clientUrl;
    const first = startCli([
      "run",
      profile,
      "--server",
      url,
      ...agentFlags(url, 1),
      "--agent-tag",
      "solo",
      "--out",
      join(dir.path, "a"),
      "--no-charts",
    ]);
    await waitForTraffic(server, 2000);
    const listed = await agentStates(url);
    expect(listed).toMatchObject([
      { name: "a1", tag: "solo", cpus: expect.any(Number), status: { busy: true } },
    ]);
    const second = await runCli(
      ["run", profile, "--server", url, ...agentFlags(url, 1), "--out", join(dir.path, "b")],
      {
        cwd: dir.path,
      },
    );
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      new RegExp(
        `error: asked for 1 agent, 0 of the 1 found can take a run: a1 is busy with run ${listed[0]!.status!.run} from \\S+ since \\S+\\n$`,
      ),
    );
    expect(await first.interrupt()).toBe(130);
    expect(first.stderr()).toMatch(/interrupted: run interrupted; partial result in/);
    // The share was stopped and released: the agent takes runs again, with none of the run's connections
    // left (its control connection is the server's only one).
    await waitFor("a1 idle", async () => (await agentStates(url))[0]?.status?.busy === false);
    await waitFor(
      "the share's connections closed",
      async () => (await server.monitor.varz()).connections === 1,
    );
  });

  it("SIGTERM stops an agent's share, tells the coordinator, and leaves the service", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    await using fleet = await startAgents(server.clientUrl, ["a1", "a2"]);
    const profile = await writeProfile(dir.path, "term", jsLoad("30s"));
    const url = server.clientUrl;
    const run = runCli(
      [
        "run",
        profile,
        "--server",
        url,
        ...agentFlags(url, "all"),
        "--out",
        join(dir.path, "artifacts"),
        "--no-charts",
      ],
      {
        cwd: dir.path,
      },
    );
    await waitForTraffic(server, 4000);
    const a2 = fleet.byName.a2!;
    expect(await a2.terminate()).toBe(0);
    expect(a2.stderr()).toMatch(/agent a2 leaving: interrupted by SIGTERM/);
    const cli = await run;
    expect(cli.code).toBe(3);
    expect(cli.stderr).toMatch(/agent a2 \(\S+\): shutting down \(interrupted by SIGTERM\)/);
    const result = await writtenResult(dir.path);
    expect(result.complete).toBe(false);
    // a2 handed its results over before it left: both agents' publishers are in the counts.
    expect(result.env.agents!.every((a) => a.cpuPercent !== undefined)).toBe(true);
    expect((await agentStates(url)).map((a) => a.name)).toEqual(["a1"]);
  });
});

async function agentStates(
  url: string,
): Promise<Array<{ name: string; tag?: string; cpus: number; status?: { busy: boolean; run?: string } }>> {
  const out = await runCli(["agents", "--control", url, "--json"]);
  if (out.code !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout);
}

describe("benchline agent", () => {
  it("refuses a name another agent already answers to (exit 2), and lists the one there", async () => {
    await using server = await NatsServer.start();
    await using _first = await startAgents(server.clientUrl, ["twin"], ["--tag", "east"]);
    const second = await runCli(["agent", "--control", server.clientUrl, "--name", "twin"]);
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(
      "error: an agent named twin already answers on this control server; give this one another --name\n",
    );
    const listed = await runCli(["agents", "--control", server.clientUrl]);
    expect(listed.stdout).toMatch(
      /^name\s+host\s+cpus\s+tag\s+version\s+prefix\s+state\ntwin\s+\S+\s+\d+\s+east\s+\S+\s+benchline\s+idle\n$/,
    );
  });

  it("refuses what agents cannot run, and flags that do not go together, before any load (exit 2)", async () => {
    await using server = await NatsServer.start();
    await using dir = await tempDir();
    const control = ["--agents", "1", "--control", server.clientUrl];
    const tenants = await writeProfile(
      dir.path,
      "tenants",
      "tenants:\n  - {name: a, publishers: [{mode: core, subject: a.x, rate: 10}]}\nduration: 1s\n",
    );
    const network = await writeProfile(
      dir.path,
      "network",
      `${jsLoad("2s")}faults:\n  - {kind: network, target: clients, at: 1s, for: 1s, delay: 10ms}\n`,
    );
    const cases: Array<[string[], string]> = [
      [
        ["run", tenants, ...control],
        `error: ${tenants}: tenant a runs on agents, which log in with credentials of their own environment; benchline's own server makes its tenants' passwords for the run: name a server with --server whose users the agents can log in as, and give each tenant's auth as \${ENV} references\n`,
      ],
      [
        ["run", network, "--server", server.clientUrl, ...control],
        `error: ${network}: network faults act on links through a proxy on this host, which agents on other hosts cannot use; run them without --agents\n`,
      ],
      [
        ["run", network, "--agents", "0", "--control", server.clientUrl],
        'error: --agents 0: give a number of agents (1 or more) or "all"\n',
      ],
      [
        ["run", network, "--control", server.clientUrl],
        "error: --control and --agent-tag go with --agents N|all: say how many agents to run on\n",
      ],
      [
        ["run", network, "--agents", "2"],
        "error: name the control server: --control URL (or set BENCHLINE_CONTROL)\n",
      ],
      [
        ["agent", "--control", server.clientUrl, "--name", "a.b"],
        "error: --name a.b: one subject token of letters, digits, - and _\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const out = args[0] === "run" ? ["--out", join(dir.path, "artifacts")] : [];
      const cli = await runCli([...args, ...out], { cwd: dir.path });
      expect({ args, code: cli.code, stderr: cli.stderr }).toEqual({ args, code: 2, stderr });
    }
  });
});
