/**
 * The multi-tenant setup users build from the NATS docs: an account per tenant, users limited to their
 * own subjects, JetStream's API and acks, and `_INBOX.>`. benchline checks what it needs before any load
 * and names the missing grant in one line (exit 3); a subject refused during the run is counted and named;
 * a load the server mostly refused does not pass.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

const PASSWORD = "tenant-pw-7731";

/** One user per grant set, all in TENANT_A, written as nats-server's docs write permissions. */
const CONFIG = `# As in the NATS docs: accounts, users, permissions; durations and sizes unquoted.
jetstream {
  max_memory_store: 64MB
  max_file_store: 256MB
}
write_deadline: 5s

accounts {
  SYS { users: [{user: sys, password: sys-pw}] }
  TENANT_A {
    jetstream: enabled
    users: [
      # Everything benchline's subjects table asks for.
      {user: full, password: $PW, permissions: {
        publish: ["TENANT_A.>", "$JS.API.>", "$JS.ACK.>"]
        subscribe: ["TENANT_A.>", "_INBOX.>"]
      }}
      # No inboxes: PubAcks, pull deliveries and API replies cannot reach it.
      {user: noinbox, password: $PW, permissions: {
        publish: ["TENANT_A.>", "$JS.API.>", "$JS.ACK.>"]
        subscribe: ["TENANT_A.>"]
      }}
      # No acks: a pull consumer could never acknowledge.
      {user: noack, password: $PW, permissions: {
        publish: ["TENANT_A.>", "$JS.API.>"]
        subscribe: ["TENANT_A.>", "_INBOX.>"]
      }}
      # Its own inbox prefix only.
      {user: team, password: $PW, permissions: {
        publish: ["TENANT_A.>", "$JS.API.>", "$JS.ACK.>"]
        subscribe: ["TENANT_A.>", "_INBOX_team.>"]
      }}
      # Half of a spread of eight subjects denied, past the four probed up front.
      {user: partial, password: $PW, permissions: {
        publish: {allow: ["TENANT_A.>", "$JS.API.>", "$JS.ACK.>"], deny: ["TENANT_A.core.4", "TENANT_A.core.5", "TENANT_A.core.6", "TENANT_A.core.7"]}
        subscribe: ["TENANT_A.>", "_INBOX.>"]
      }}
      {user: onedenied, password: $PW, permissions: {
        publish: {allow: ["TENANT_A.>", "$JS.API.>", "$JS.ACK.>"], deny: ["TENANT_A.core.7"]}
        subscribe: ["TENANT_A.>", "_INBOX.>"]
      }}
    ]
  }
}
system_account: SYS
`;

const JS_LOAD = `stream: {name: TA, subjects: ["TENANT_A.>"]}
publishers:
  - {mode: jetstream, subject: TENANT_A.orders, rate: 500}
consumers:
  - {kind: pull}
warmup: 200ms
duration: 1s
drain: 1s
`;

/** Core load over a spread of eight subjects; its subscriber takes them all. */
const CORE_SPREAD = `publishers:
  - {mode: core, subject: TENANT_A.core, spread: 8, rate: 800}
consumers:
  - {kind: core, subject: "TENANT_A.core.>"}
warmup: 200ms
duration: 1s
drain: 500ms
`;

let server: NatsServer;
let dir: AsyncDisposable & { path: string };

beforeAll(async () => {
  dir = await tempDir();
  const file = join(dir.path, "tenants.conf");
  await writeFile(file, CONFIG.replaceAll("$PW", PASSWORD));
  server = await NatsServer.start({ userConfig: { file } });
}, 30_000);
afterAll(async () => {
  await server?.stop();
  await dir?.[Symbol.asyncDispose]();
});

function runAs(user: string, profile: string, extra: string[] = []) {
  return runCli(
    ["run", profile, "--server", server.clientUrl, "--user", user, "--no-charts", "--json", ...extra],
    { env: { NATS_PASSWORD: PASSWORD }, cwd: dir.path, timeoutMs: 60_000 },
  );
}

describe("a run on an account limited to its own subjects", () => {
  it("with every grant of the subjects table: runs, nothing refused", async () => {
    const profile = await writeProfile(dir.path, "js-full", JS_LOAD);
    const cli = await runAs("full", profile, ["--out", join(dir.path, "full")]);
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as RunResult;
    expect(result.counts.permissionViolations).toBe(0);
    expect(result.counts.acked).toBeGreaterThan(400);
    expect(result.counts.consumed).toBe(result.counts.acked);
    expect(cli.stdout + cli.stderr).not.toContain(PASSWORD);
  });

  it("without _INBOX.>: refused before any load, naming the subject and the grant", async () => {
    const profile = await writeProfile(dir.path, "js-noinbox", JS_LOAD);
    const started = Date.now();
    const cli = await runAs("noinbox", profile, ["--out", join(dir.path, "noinbox")]);
    expect(cli.code).toBe(3);
    const line = expectOneLineError(cli);
    expect(line).toMatch(/the user may not subscribe to "_INBOX\.[^"]+"/);
    expect(line).toContain('grant subscribe "_INBOX.>"');
    expect(line).toContain("--inbox-prefix");
    expect(line).not.toMatch(/JetStream is not enabled/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("without $JS.ACK.>: refused before any load, naming the ack grant", async () => {
    const profile = await writeProfile(dir.path, "js-noack", JS_LOAD);
    const cli = await runAs("noack", profile, ["--out", join(dir.path, "noack")]);
    expect(cli.code).toBe(3);
    expect(expectOneLineError(cli)).toMatch(
      /may not publish to "\$JS\.ACK\.TA\.[^"]+" \(consumer acks\); grant publish "\$JS\.ACK\.>"/,
    );
  });

  it("--inbox-prefix puts every inbox under the user's own prefix", async () => {
    const profile = await writeProfile(dir.path, "js-team", JS_LOAD);
    const refused = await runAs("team", profile, ["--out", join(dir.path, "team0")]);
    expect(refused.code).toBe(3);
    expect(expectOneLineError(refused)).toContain('grant subscribe "_INBOX.>"');
    const cli = await runAs("team", profile, [
      "--out",
      join(dir.path, "team"),
      "--inbox-prefix",
      "_INBOX_team",
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as RunResult;
    expect(result.counts.permissionViolations).toBe(0);
    expect(result.counts.consumed).toBe(result.counts.acked);
    expect(result.counts.acked).toBeGreaterThan(400);
  });

  it("a subject refused during the run is counted and named; the run still passes when it was a few", async () => {
    const profile = await writeProfile(dir.path, "core-one", CORE_SPREAD);
    const cli = await runAs("onedenied", profile, ["--out", join(dir.path, "one")]);
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as RunResult;
    const refusals = result.counts.permissionRefusals!;
    expect(refusals.map((r) => [r.operation, r.subject, r.grant])).toEqual([
      ["publish", "TENANT_A.core.7", "TENANT_A.core.7"],
    ]);
    // One subject in eight, evenly spread.
    expect(refusals[0]!.count / result.counts.published).toBeCloseTo(1 / 8, 1);
    expect(result.warnings.join("\n")).toMatch(
      /publishes to "TENANT_A\.core\.7" \(grant publish "TENANT_A\.core\.7"\)/,
    );
  });

  it("a load the server mostly refused exits 3, names the subjects, and shows no acked count for core", async () => {
    const profile = await writeProfile(dir.path, "core-half", CORE_SPREAD);
    const out = join(dir.path, "half");
    const cli = await runCli(
      ["run", profile, "--server", server.clientUrl, "--user", "partial", "--no-charts", "--out", out],
      { env: { NATS_PASSWORD: PASSWORD }, cwd: dir.path },
    );
    expect(cli.code).toBe(3);
    // The result was written (its path the line before); the failure is the last line, and no stack.
    expect(cli.stderr).not.toMatch(/\n\s+at /);
    const line = cli.stderr.trim().split("\n").at(-1)!;
    expect(line).toMatch(/^error: the server refused the load: \d+ publishes to "TENANT_A\.core\.\d"/);
    expect(line).not.toMatch(/load generator/);
    // Refused is not lost: the subscriber got every publish the server let through.
    expect(cli.stdout).toMatch(/^│ sent, not consumed\s+│ 0\s+│$/m);
    // The table: no "acked" row for a core load, the refused subjects listed.
    expect(cli.stdout).not.toMatch(/^\s*acked\s/m);
    expect(cli.stdout).toMatch(/refused publish\s+│ \d+ publishes to "TENANT_A\.core\.[4-7]"/);
  });
});
