/**
 * `benchline drill` with a real Prometheus and Alertmanager (the embedded stack): a paused server fires
 * the expected alert, it reaches the webhook, and the times agree with the rule's `for:` and the 1 s
 * scrape and evaluation intervals; a clean run fires nothing; a rule that cannot fire fails the drill with
 * its name. Bad input is refused before any fault.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRILL_INTERVALS, DRILL_RULE } from "../src/drill/drill-rules.js";
import { findStackBinaries } from "../src/drill/embedded-stack.js";
import type { DrillRunResult } from "../src/drill/result.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

const missing = (() => {
  try {
    findStackBinaries();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
})();
if (missing) console.warn(`skipping the drill integration tests: ${missing}`);

const LOAD = `stream: {name: DRILL, subjects: ["drill.>"]}
publishers: [{mode: jetstream, subject: drill.x, rate: 1000, ackTimeout: 10s}]
consumers: [{kind: pull}]
warmup: 1s
duration: 8s
drain: 1s
`;
const PAUSE = `${LOAD}faults: [{name: freeze, kind: pause, target: 1, at: 3s, for: 2s}]\n`;
const EXPECTED = "BenchlineDrillPubAckP99High";

describe.skipIf(missing !== undefined)("alert drill on a real Prometheus and Alertmanager", () => {
  let dir: AsyncDisposable & { path: string };
  const out = (name: string) => join(dir.path, name);
  async function drillResult(root: string): Promise<DrillRunResult> {
    const [run] = await readdir(root);
    return JSON.parse(await readFile(join(root, run!, "result.json"), "utf8")) as DrillRunResult;
  }

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.[Symbol.asyncDispose]();
  });

  // The alert fires for about 2 s (the 5 s rate window less for: 2 s and the scrape); with a group_wait
  // of 1 s, one CI run saw it resolve before Alertmanager's first flush, which then notifies nobody.
  it("a paused server fires the expected alert, it reaches the webhook, in times the intervals allow", {
    timeout: 120_000,
  }, async () => {
    const profile = await writeProfile(dir.path, "pause", PAUSE);
    const cli = await runCli(["drill", profile, "--expect", `${EXPECTED}=15s`, "--out", out("pause")], {
      timeoutMs: 90_000,
    });
    expect(cli.code, cli.stderr).toBe(0);
    const { drill } = await drillResult(out("pause"));
    expect(drill.stack).toBe("embedded");
    expect(drill.intervals).toEqual(DRILL_INTERVALS);
    const a = drill.alerts.find((x) => x.name === EXPECTED)!;
    expect(a).toMatchObject({ expected: true, passed: true, receivers: ["benchline-drill-webhook"] });
    const { forS, windowS } = DRILL_RULE;
    const { scrapeS, evaluationS, groupWaitS } = DRILL_INTERVALS;
    const slackMs = 2 * drill.pollMs + 250;
    // No PubAck comes back while the server is frozen: p99 rises when the stalled ones land after 2 s,
    // then a worker second, a scrape and an evaluation later at most, the alert is pending.
    expect(a.pendingMs!).toBeGreaterThan(2000);
    expect(a.pendingMs!).toBeLessThan(2000 + 1000 + (scrapeS + evaluationS) * 1000 + slackMs);
    // Pending to firing: the rule's for:, give or take an evaluation and a poll.
    expect(a.firingMs! - a.pendingMs!).toBeGreaterThanOrEqual(forS * 1000 - slackMs);
    expect(a.firingMs! - a.pendingMs!).toBeLessThanOrEqual((forS + evaluationS) * 1000 + slackMs);
    // Prometheus sends as it fires; Alertmanager holds it group_wait, then posts to the webhook.
    expect(a.routedMs!).toBeLessThanOrEqual(a.firingMs! + slackMs);
    expect(a.notifiedMs! - a.firingMs!).toBeGreaterThanOrEqual(-slackMs);
    expect(a.notifiedMs! - a.firingMs!).toBeLessThanOrEqual((groupWaitS + evaluationS) * 1000 + slackMs);
    // Resolved once the stalled second leaves the rate window.
    expect(a.resolvedMs!).toBeGreaterThan(a.firingMs!);
    expect(a.resolvedMs!).toBeLessThan(drill.recoveryMs! + (windowS + 2 * evaluationS + scrapeS + 1) * 1000);
    expect(cli.stdout).toContain("drill passed");
    const [run] = await readdir(out("pause"));
    const files = await readdir(join(out("pause"), run!));
    expect(files).toEqual(expect.arrayContaining(["junit.xml", "drill-timeline.png", "result.json"]));
    const junit = await readFile(join(out("pause"), run!, "junit.xml"), "utf8");
    expect(junit).toContain(`name="alert ${EXPECTED} fires"`);
    expect(junit).toContain('failures="0"');
  });

  it("a clean run fires nothing", async () => {
    const profile = await writeProfile(dir.path, "clean", LOAD);
    const cli = await runCli(["drill", profile, "--out", out("clean"), "--no-charts"], { timeoutMs: 90_000 });
    expect(cli.code, cli.stderr).toBe(0);
    const { drill } = await drillResult(out("clean"));
    expect(drill.alerts).toEqual([]);
    expect(drill.passed).toBe(true);
    expect(cli.stdout).toContain("no alert fired, and none was expected");
  }, 120_000);

  it("a rule that cannot fire fails the drill with its name", async () => {
    const rules = out("rules");
    await mkdir(rules);
    await writeFile(
      join(rules, "never.yml"),
      "groups:\n  - name: never\n    rules:\n      - alert: BenchlineNeverFires\n        expr: vector(1) > 2\n        for: 1m\n",
    );
    const profile = await writeProfile(dir.path, "pause", PAUSE);
    const cli = await runCli(
      [
        "drill",
        profile,
        "--rules",
        rules,
        "--expect",
        "BenchlineNeverFires=3s",
        "--out",
        out("never"),
        "--no-charts",
      ],
      { timeoutMs: 90_000 },
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split("\n").at(-1)).toBe(
      "fail: alert drill failed: BenchlineNeverFires failed: did not fire within 3.0 s of the fault's start: never fired",
    );
    const { drill } = await drillResult(out("never"));
    expect(drill.rules).toBe(`rules from ${rules}, windows and for: divided by 60`);
  }, 120_000);

  it("refuses an unreachable Prometheus before any fault, and names the rules when an alert has none", async () => {
    const profile = await writeProfile(dir.path, "pause", PAUSE);
    const down = await runCli(["drill", profile, "--prometheus", "http://127.0.0.1:9", "--expect", "X"]);
    expect(down.code).toBe(3);
    expect(expectOneLineError(down)).toMatch(
      /^error: Prometheus unreachable at http:\/\/127\.0\.0\.1:9\/api\/v1\/status\/buildinfo: /,
    );
    // A pause on a server benchline did not start needs the profile's commands: the profile's fault
    // (exit 2), said before Prometheus is asked anything.
    const named = await runCli([
      ...["drill", profile, "--server", "nats://127.0.0.1:9"],
      ...["--prometheus", "http://127.0.0.1:9", "--expect", "X"],
    ]);
    expect(named.code).toBe(2);
    expect(expectOneLineError(named)).toMatch(/faults\[0\] \(freeze\): .*command\.pause/);
    const unknown = await runCli(["drill", profile, "--expect", "Nope"]);
    expect(unknown.code).toBe(2);
    expect(expectOneLineError(unknown)).toBe(
      "error: --expect Nope: no alert rule defines it; the rules define: BenchlineDrillE2eP99High, BenchlineDrillPubAckP99High",
    );
  });
});
