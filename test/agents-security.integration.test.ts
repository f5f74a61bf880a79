import { join } from "node:path";
import { connect, type Msg } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { Assembly, decodeValue, HEADER_CHUNK, type PrepareRequest, parseChunk } from "../src/agents/wire.js";
import { NatsServer } from "../src/server/launcher.js";
import { startAgent } from "./helpers/agents.js";
import { runCli } from "./helpers/cli.js";
import { writeProfile, writtenResult } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

// The permissions docs/agents.md documents for the control server, as a nats-server config gives them.
const coordinator = {
  user: "coordinator",
  password: "c-pw",
  publish: ["benchline.agent.>", "$SRV.>"],
  subscribe: ["benchline.data.>", "_INBOX.>"],
};
const agentUser = {
  user: "agent",
  password: "a-pw",
  publish: ["benchline.data.>", "_INBOX.>", "$SRV.>"],
  subscribe: ["benchline.agent.>", "$SRV.>", "_INBOX.>"],
};
/** May see that agents exist, may not command them. */
const onlooker = { user: "onlooker", password: "o-pw", publish: ["$SRV.>"], subscribe: ["_INBOX.>"] };
const spy = { user: "spy", password: "s-pw", subscribe: [">"] };

describe("agents and secrets", () => {
  it("no secret travels on the control plane; the documented permissions suffice, and without them no work is given", async () => {
    await using control = await NatsServer.start({
      auth: {
        accounts: [
          { name: "CTL", jetstream: false, users: [coordinator, agentUser, onlooker, spy] },
          { name: "SYS", jetstream: false, users: [{ user: "sys", password: "sys-pw" }] },
        ],
        systemAccount: "SYS",
      },
    });
    const token = "load-token-0f9e8d7c";
    await using load = await NatsServer.start({ auth: { token } });
    await using dir = await tempDir();
    // The agent has the load server's token from its own environment.
    await using _agent = await startAgent(control.clientUrl, "a1", ["--control-user", "agent"], {
      BENCHLINE_CONTROL_PASSWORD: agentUser.password,
      NATS_TOKEN: token,
    });
    const watcher = await connect({ servers: control.clientUrl, user: spy.user, pass: spy.password });
    const seen: Msg[] = [];
    watcher.subscribe(">", {
      callback: (_e, m) => {
        seen.push(m);
      },
    });
    await watcher.flush();
    const profile = await writeProfile(
      dir.path,
      "secret",
      "publishers:\n  - {mode: core, subject: s.x, count: 2, rate: 1000}\nconsumers:\n  - {kind: core, subject: s.x}\nwarmup: 200ms\nduration: 1s\ndrain: 1s\n",
    );
    const run = (user: { user: string; password: string }, out: string) =>
      runCli(
        ["run", profile, "--server", load.clientUrl, "--token", token, "--agents", "1"].concat([
          "--control",
          control.clientUrl,
          "--control-user",
          user.user,
          "--out",
          join(dir.path, out, "artifacts"),
          "--no-charts",
        ]),
        { cwd: dir.path, env: { BENCHLINE_CONTROL_PASSWORD: user.password } },
      );

    const ok = await run(coordinator, "ok");
    expect(ok.stderr).not.toMatch(/^error/m);
    expect(ok.code).toBe(0);
    const result = await writtenResult(join(dir.path, "ok"));
    expect(result.counts).toMatchObject({ published: 1200, consumed: 1200, lost: 0 });
    await watcher.flush();

    const prepares = seen.filter((m) => m.subject === "benchline.agent.a1.prepare");
    expect(prepares.length).toBeGreaterThan(0);
    for (const m of seen) expect(Buffer.from(m.data).includes(token)).toBe(false);
    // The prepare is gzipped: read it whole, as the agent does.
    const first = parseChunk(prepares[0]!.headers?.get(HEADER_CHUNK))!;
    const assembly = new Assembly(first[1]);
    let whole: Uint8Array | undefined;
    for (const m of prepares)
      whole = assembly.add(parseChunk(m.headers?.get(HEADER_CHUNK))![0], m.data) ?? whole;
    const request = decodeValue<PrepareRequest>(whole!);
    expect(JSON.stringify(request)).not.toContain(token);
    expect(request.servers).toEqual([load.clientUrl]);
    expect(Object.keys(request.connection).sort()).toEqual([
      "connectTimeoutMs",
      "name",
      "reconnectAttempts",
      "reconnectJitterMs",
      "reconnectWaitMs",
    ]);

    // A user who may not publish on benchline.agent.> finds the agent and cannot give it work.
    const before = seen.length;
    const refused = await run(onlooker, "refused");
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^error: agent a1 \(\S+\) cannot be commanded by this control user \(Permissions Violation for Publish to "benchline.agent.a1.clock"\): it needs publish on benchline.agent.a1.>\n$/,
    );
    await watcher.flush();
    expect(seen.slice(before).filter((m) => m.subject.startsWith("benchline.agent.")).length).toBe(0);
    await watcher.close();
  });
});

describe("an agent that cannot get ready", () => {
  it("without credentials of its own for the load server: exit 3 within seconds, naming the agent and why", async () => {
    await using control = await NatsServer.start();
    await using load = await NatsServer.start({ auth: { token: "only-the-coordinator-has-it" } });
    await using dir = await tempDir();
    await using _agent = await startAgent(control.clientUrl, "a1");
    const profile = await writeProfile(
      dir.path,
      "noauth",
      "publishers:\n  - {mode: core, subject: s.x, rate: 100}\nwarmup: 0s\nduration: 5s\n",
    );
    const started = Date.now();
    const cli = await runCli(
      [
        "run",
        profile,
        "--server",
        load.clientUrl,
        "--token",
        "only-the-coordinator-has-it",
        "--agents",
        "1",
      ].concat(["--control", control.clientUrl, "--out", join(dir.path, "artifacts"), "--no-charts"]),
      { cwd: dir.path },
    );
    expect(cli.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(cli.stderr).toMatch(
      /error: the run failed: agent a1 \(\S+\): could not get ready: .*Authorization Violation \(an agent logs in with its own credentials: its --creds, --token, --user or NATS_\* environment\); partial result in/i,
    );
    const result = await writtenResult(dir.path);
    expect(result.complete).toBe(false);
    expect(result.counts.published).toBe(0);
  });
});
