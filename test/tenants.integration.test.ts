/** Tenants side by side: each in its own account, reported on its own, violations counted per tenant. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { tenantAccount } from "../src/engine/tenants.js";
import { parseProfileText } from "../src/profile/loader.js";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { runJson, writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

const INTRUDER = `tenants:
  - name: alpha
    auth: {user: alpha, password: "\${ALPHA_PASSWORD}"}
    publishers:
      - {mode: core, subject: beta.intrude, rate: 200}
  - name: beta
    auth: {user: beta, password: "\${BETA_PASSWORD}"}
    publishers:
      - {mode: core, subject: beta.x, rate: 500}
    consumers:
      - {kind: core, subject: "beta.>"}
warmup: 500ms
duration: 2s
drain: 1s
workers: 1
`;

describe("tenants", () => {
  it("the shipped two-tenant profile runs on an embedded server and reports each tenant", async () => {
    await using dir = await tempDir();
    const { result } = await runJson(join(process.cwd(), "profiles/tenants.yaml"), dir.path, [
      "--warmup",
      "1s",
      "--duration",
      "3s",
    ]);
    expect(result.complete).toBe(true);
    const { steady, bursty } = result.tenants!;
    expect(steady!.complete && bursty!.complete).toBe(true);
    // steady: 2,000 msgs/s; bursty: 10,000 msgs/s for 250 ms a second = 2,500 msgs/s on average.
    expect(steady!.throughput.publishedPerSec).toBeGreaterThan(1900);
    expect(steady!.throughput.publishedPerSec).toBeLessThan(2100);
    expect(bursty!.throughput.publishedPerSec).toBeGreaterThan(2250);
    expect(bursty!.throughput.publishedPerSec).toBeLessThan(2750);
    for (const t of [steady!, bursty!]) {
      expect(t.counts.consumed).toBe(t.counts.acked);
      expect(t.counts.lost).toBe(0);
      expect(t.counts.permissionViolations).toBe(0);
    }
    // The top level is both together: counts summed, histograms merged.
    expect(result.counts.published).toBe(steady!.counts.published + bursty!.counts.published);
    expect(result.latency.e2e!.count).toBe(steady!.latency.e2e!.count + bursty!.latency.e2e!.count);
    expect(result.latency.e2e!.maxUs).toBe(Math.max(steady!.latency.e2e!.maxUs, bursty!.latency.e2e!.maxUs));
    expect(result.thresholds).toEqual([
      expect.objectContaining({ metric: "counts.permissionViolations", passed: true }),
    ]);
    const [run] = await readdir(join(dir.path, "artifacts"));
    const summary = await readFile(join(dir.path, "artifacts", run!, "summary.md"), "utf8");
    expect(summary).toMatch(/## Tenants\n\n\| tenant \| published\/s/);
    expect(summary).toMatch(/\n\| steady \| \d+ \| \d+ \| .* \| 0 \| 0 \| 0 \|\n\| bursty \|/);
  });

  it("on a named server with accounts: a tenant reaching outside its subjects is refused up front, by name", async () => {
    await using dir = await tempDir();
    const passwords = { alpha: "alpha-5ecret-pw", beta: "beta-5ecret-pw" };
    const profile = await writeProfile(dir.path, "intruder", INTRUDER);
    const tenants = parseProfileText(INTRUDER, "x.yaml", { ALPHA_PASSWORD: "a", BETA_PASSWORD: "b" }).profile
      .tenants!;
    await using server = await NatsServer.start({
      auth: {
        accounts: [
          { name: "SYS", jetstream: false, users: [{ user: "sys", password: "sys-pw" }] },
          tenantAccount(tenants[0]!, passwords.alpha),
          tenantAccount(tenants[1]!, passwords.beta),
        ],
        systemAccount: "SYS",
      },
    });
    const env = { ALPHA_PASSWORD: passwords.alpha, BETA_PASSWORD: passwords.beta };
    const started = Date.now();
    const cli = await runCli(["run", profile, "--server", server.clientUrl, "--out", join(dir.path, "a")], {
      env,
    });
    // alpha may not publish into beta's subjects: said before any load, naming the tenant's user and
    // the grant, within seconds.
    expect(cli.code).toBe(3);
    expect(expectOneLineError(cli)).toBe(
      'error: the user of intruder-alpha may not publish to "beta.intrude" (publisher core-publisher-0); grant publish "beta.intrude" to the user of intruder-alpha (a deny rule that matches it wins over any grant)',
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(cli.stdout + cli.stderr).not.toMatch(/5ecret/);
    // Without the intruder, both run, and neither is refused anything.
    const clean = await writeProfile(
      dir.path,
      "clean",
      INTRUDER.replace("subject: beta.intrude", "subject: alpha.own"),
    );
    const ok = await runCli(
      ["run", clean, "--server", server.clientUrl, "--json", "--out", join(dir.path, "b")],
      {
        env,
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const result = JSON.parse(ok.stdout) as RunResult;
    const { alpha, beta } = result.tenants!;
    expect(alpha!.counts.published).toBeGreaterThan(400);
    expect(result.counts.permissionViolations).toBe(0);
    expect(beta!.counts.consumed).toBe(beta!.counts.published);
    expect(beta!.counts.consumerErrors).toEqual({});
    // The stored profile keeps the references, never the passwords.
    expect(result.profile.tenants!.map((t) => t.auth?.password)).toEqual([
      "${ALPHA_PASSWORD}",
      "${BETA_PASSWORD}",
    ]);
    expect(ok.stdout + ok.stderr).not.toMatch(/5ecret/);
  });

  it("a named server needs each tenant's credentials; --rate and capacity refuse tenants", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(dir.path, "bare", INTRUDER.replace(/\n {4}auth: .*/g, ""));
    const cases: Array<[string[], RegExp]> = [
      [
        ["run", profile, "--server", "nats://127.0.0.1:1"],
        /tenants\[0\] \(alpha\) has no auth: give each tenant its credentials/,
      ],
      [["run", profile, "--rate", "100"], /--rate: a profile of tenants sets each tenant's rates/],
      [["capacity", profile], /a capacity search runs one load, not tenants/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, "--out", join(dir.path, "o")]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(expectOneLineError(r)).toMatch(message);
    }
  });
});
