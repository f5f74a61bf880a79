/**
 * `benchline slo --format prometheus --tests`: a real 5 s pause of the embedded server and a real clean
 * run, replayed through rules derived from a baseline, and promtool agreeing with what benchline said.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RunResult } from "../src/contract/result.js";
import type { ProofReport } from "../src/slo/render-proof.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { fixtureBlock } from "./fixtures/run-result.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { runJson, writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

const PROMTOOL = "/usr/bin/promtool";

/**
 * A baseline whose objectives a clean run on a loaded 2-core machine keeps with room to spare (p50
 * 150 ms, p99 600 ms, read at the 1 s bucket) and a 5 s stall does not.
 */
function generousBaseline() {
  const b = fixtureBaseline();
  b.runs.forEach((r, i) => {
    r.latency.pubAck = fixtureBlock({ p50Us: 100_000, p95Us: 300_000, p99Us: 300_000 + i * 50_000 });
  });
  return b;
}

const LOAD = `stream: {name: ALERTS, subjects: ["al.>"]}
publishers: [{mode: jetstream, subject: al.x, rate: 1000, ackTimeout: 10s}]
consumers: [{kind: pull}]
warmup: 1s
drain: 1s
`;

describe("alerts proven on real runs", () => {
  let dir: AsyncDisposable & { path: string };
  let paused: RunResult;
  const file = (name: string) => join(dir.path, name);

  beforeAll(async () => {
    dir = await tempDir();
    // The ack timeout outlasts the pause: the outage shows as latency, not as failed publishes.
    const pause = await writeProfile(
      dir.path,
      "pause",
      `${LOAD}duration: 10s\nfaults: [{kind: pause, at: 2s, for: 5s, name: freeze}]\n`,
    );
    const clean = await writeProfile(dir.path, "clean", `${LOAD}duration: 5s\n`);
    paused = (await runJson(pause, dir.path)).result;
    await writeFile(file("pause.json"), JSON.stringify(paused));
    await writeFile(file("clean.json"), JSON.stringify((await runJson(clean, dir.path)).result));
    await writeFile(file("baseline.json"), JSON.stringify(generousBaseline()));
  }, 120_000);

  afterAll(async () => {
    await dir[Symbol.asyncDispose]();
  });

  const slo = (...extra: string[]) =>
    runCli(["slo", file("baseline.json"), "--format", "prometheus", ...extra], { cwd: dir.path });

  it("the run keeps what a replay needs: per-second failed publishes and le buckets", () => {
    expect(paused.intervalBucketsS).toHaveLength(21);
    const thaw = paused.intervals.find((p) => (p.le?.pubAck?.at(-1) ?? 0) > 2000)!;
    expect(thaw.publishErrors).toEqual({});
    // The second the server thawed: PubAcks that waited seconds, counted above the 1 s bucket.
    const atOneSecond = thaw.le!.pubAck![paused.intervalBucketsS!.indexOf(1)]!;
    expect(thaw.le!.pubAck!.at(-1)! - atOneSecond).toBeGreaterThan(1000);
  });

  it.skipIf(!existsSync(PROMTOOL))(
    "fire on the 5 s pause, stay silent on the clean run, and promtool agrees",
    async () => {
      const r = await slo("--tests", "pause.json", "--tests", "clean.json", "--out", "alerts", "--json");
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as ProofReport;
      expect(report).toMatchObject({ passed: true, replayStepS: 60, testsFile: "alerts/rules.test.yml" });
      const [pause, clean] = report.runs;
      const fault = pause!.faults[0]!;
      expect(fault).toMatchObject({ name: "freeze", kind: "pause", outage: true });
      // 2 s into the measured phase (the table's and the charts' time base), as fired by benchline's timers.
      expect(fault.fromS).toBeGreaterThanOrEqual(2);
      expect(fault.fromS).toBeLessThan(3);
      const page = pause!.alerts.find(
        (a) => a.alert === "OrdersPubAckP99BudgetBurn" && a.labels.burn_rate === "14.4",
      )!;
      // The stalled PubAcks land when the server thaws: the page fires then, not before the fault.
      expect(page.firstFiringS).toBeGreaterThan(fault.fromS);
      expect(page.firstFiringS).toBeLessThanOrEqual(Math.ceil(fault.toS) + 2);
      expect(pause!.verdict).toMatch(/^proven: /);
      expect(clean).toMatchObject({ passed: true, faults: [] });
      expect(clean!.alerts.every((a) => a.firingS.length === 0)).toBe(true);
      // The rules file is what `--format prometheus` alone writes.
      const rules = await readFile(file("alerts/rules.yml"), "utf8");
      expect(rules).toBe((await slo()).stdout);
      expect(parse(await readFile(file("alerts/rules.test.yml"), "utf8")).tests).toHaveLength(2);
      const check = spawnSync(PROMTOOL, ["test", "rules", "alerts/rules.test.yml"], {
        cwd: dir.path,
        encoding: "utf8",
      });
      expect(`${check.stdout}${check.stderr}`).toContain("SUCCESS");
      expect(check.status).toBe(0);
    },
  );

  it("says at which second each alert fired, in a table", async () => {
    const r = await slo("--tests", "pause.json", "--out", "table");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /pause\.json: pause, \d+ s replayed \(warmup included\), one run second as 60 s of Prometheus time; times in seconds from the start of the measured phase/,
    );
    expect(r.stdout).toMatch(
      /fault freeze \(pause\): 2(\.\d+)?-7(\.\d+)? s from the start of the measured phase/,
    );
    expect(r.stdout).toMatch(/OrdersPubAckP99BudgetBurn \(14\.4x, 1h\) +│ page +│ \d+ s +│/);
    expect(r.stdout).toMatch(/OrdersErrorBudgetBurn \(14\.4x, 1h\) +│ page +│ - +│ silent/);
  });

  it("a rule set that would not fire on the outage: exit 1, and one line that says so", async () => {
    const r = await slo("--metric", "throughput.publishedPerSec", "--tests", "pause.json", "--out", "quiet");
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(
      /^fail: the rules failed on 1 of 1 runs: pause\.json: no alert fired on the outage: fault freeze \(pause\) left publishes unanswered for [45]\.\d s from 2(\.\d+)? s$/,
    );
    expect(r.stdout).toContain("FAILED: no alert fired on the outage");
  });

  it("refuses --tests without the Prometheus format or a directory, and a replay step rate() cannot use", async () => {
    const cases: Array<[string[], string]> = [
      [
        ["slo", file("baseline.json"), "--tests", "pause.json", "--out", "x"],
        "error: --tests replays runs through the Prometheus rules: add --format prometheus",
      ],
      [
        ["slo", file("baseline.json"), "--format", "prometheus", "--tests", "pause.json"],
        "error: --tests needs --out DIR for the rules and their promtool test file",
      ],
      [
        [
          "slo",
          file("baseline.json"),
          "--format",
          "prometheus",
          "--tests",
          "pause.json",
          "--out",
          "x",
          "--replay-step",
          "5m",
        ],
        "error: --replay-step 5m: give whole milliseconds from 1s to 150s (half the rules' shortest window, so rate() sees two samples in it)",
      ],
    ];
    for (const [args, line] of cases) {
      const r = await runCli(args, { cwd: dir.path });
      expect(r.code).toBe(2);
      expect(expectOneLineError(r)).toBe(line);
    }
  });
});
