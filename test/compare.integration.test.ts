import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeHistogram } from "../src/metrics/histogram.js";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli, startCli } from "./helpers/cli.js";
import { startDelayProxy } from "./helpers/delay-proxy.js";
import { writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";
import { waitForTraffic } from "./helpers/wait.js";

// One server and one baseline for the whole file: recording is the slow part.
let server: NatsServer;
let dir: AsyncDisposable & { path: string };
let baseline: string;
let profile: string;

const load = `publishers:\n  - {mode: core, subject: cmp.x, rate: 2000}\nconsumers:\n  - {kind: core, subject: cmp.x}\nwarmup: 300ms\nduration: 1s\ndrain: 1s\nworkers: 1\nthresholds:\n  counts.lost: "== 0"\n`;

/** Five runs of the profile against the test's server, into the shared baseline file. */
const recordArgs = (artifacts: string) => [
  "baseline",
  "record",
  profile,
  "--repeat",
  "5",
  "--server",
  server.clientUrl,
  "--out",
  baseline,
  "--artifacts",
  artifacts,
];

beforeAll(async () => {
  server = await NatsServer.start();
  dir = await tempDir();
  profile = await writeProfile(dir.path, "cmp", load);
  baseline = join(dir.path, "base.json");
  const r = await runCli(recordArgs(join(dir.path, "a")));
  if (r.code !== 0) throw new Error(r.stderr);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await dir?.[Symbol.asyncDispose]();
});

// 5 baseline and 6 candidate runs let 8 Holm-adjusted metrics reach significance (8 x 2/462 < 0.05).
// A wide noise threshold keeps the A/A case from flaking on a shared machine; the slowed case is 100x.
const compareArgs = (extra: string[]) => [
  "compare",
  baseline,
  "--repeat",
  "6",
  "--noise",
  "50",
  "--out",
  join(dir.path, "cmp"),
  ...extra,
];

describe("baseline record and show", () => {
  it("keeps every run with its histograms, the profile, its hash and the environment", async () => {
    const b = JSON.parse(await readFile(baseline, "utf8"));
    expect(b.schema).toBe("benchline/baseline@1");
    expect(b.runs).toHaveLength(5);
    expect(b.runs[0].latency.e2e.hdr.length).toBeGreaterThan(10);
    // The machine control's reading: the generator's CPU over each run's measured phase.
    for (const run of b.runs) expect(run.generator.cpuPercent).toBeGreaterThan(0);
    expect(b.profileHash).toMatch(/^[0-9a-f]{16}$/);
    expect(b.env).toMatchObject({
      cpus: expect.any(Number),
      serverVersion: expect.stringMatching(/^2\./),
      embeddedServer: false,
    });
    const shown = await runCli(["baseline", "show", baseline]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^baseline cmp: 5 runs, recorded .* \(\d+ minutes ago\)/);
    expect(shown.stdout).toMatch(/│ e2e\.p99 +│/);
    expect(shown.stdout).toMatch(
      /^machine control: generator CPU per message \d+\.\d us \(\d+\.\d us to \d+\.\d us over the runs\); a compare calls latency up to p95 regressed only when/m,
    );
  });

  it("refuses fewer than 3 runs", async () => {
    const r = await runCli([
      "baseline",
      "record",
      profile,
      "--repeat",
      "2",
      "--out",
      join(dir.path, "x.json"),
    ]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toContain("--repeat must be a whole number from 3 to 1000, not 2");
  });
});

describe("compare", () => {
  it("the same profile against its own baseline: no regression, exit 0, every output written", async () => {
    const summary = join(dir.path, "step-summary.md");
    await writeFile(summary, "earlier step\n");
    const r = await runCli(compareArgs(["--server", server.clientUrl]), {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("verdict: pass");
    expect(r.stdout).not.toContain("REGRESSED");
    const out = join(dir.path, "cmp", (await readdir(join(dir.path, "cmp"))).sort().at(-1)!);
    expect((await readdir(out)).sort()).toEqual([
      "baseline-e2e.hgrm",
      "baseline-sendLag.hgrm",
      "bencher.json",
      "candidate-1.json",
      "candidate-2.json",
      "candidate-3.json",
      "candidate-4.json",
      "candidate-5.json",
      "candidate-6.json",
      "candidate-e2e.hgrm",
      "candidate-sendLag.hgrm",
      "compare.json",
      "compare.md",
      "github-benchmark-bigger.json",
      "github-benchmark-smaller.json",
      "junit.xml",
      "percentiles-e2e.png",
      "percentiles-sendLag.png",
    ]);
    const report = JSON.parse(await readFile(join(out, "compare.json"), "utf8"));
    expect(report.passed).toBe(true);
    // Latency's body at the baseline's machine speed, its tail and throughput as measured.
    expect(report.machineControl).toMatchObject({ name: "generator CPU per message", applied: true });
    expect(report.machineControl.baselineMedianUs).toBeGreaterThan(0);
    const byName = (name: string) => report.metrics.find((m: { metric: string }) => m.metric === name);
    const adjusted = byName("e2e.p50").machineAdjusted;
    expect(adjusted.slope).toBeGreaterThanOrEqual(0);
    expect(adjusted.slopeRange.low).toBeLessThanOrEqual(adjusted.slope);
    expect(adjusted.baselineValues).toHaveLength(5);
    expect(adjusted.candidateValues).toHaveLength(6);
    expect(byName("e2e.p99").machineAdjusted).toBeUndefined();
    expect(byName("throughput.publishedPerSec").machineAdjusted).toBeUndefined();
    expect(r.stdout).toMatch(
      /^machine control: generator CPU per message .* latency up to p95 is also compared at the baseline's machine speed/m,
    );
    // The percentile charts' data: every sample of the baseline's runs and of the candidates', merged.
    const e2e = report.distributions.find((d: { kind: string }) => d.kind === "e2e");
    const merged = (hdr: string) => decodeHistogram(hdr).totalCount;
    const recorded = JSON.parse(await readFile(baseline, "utf8"));
    expect(merged(e2e.baselineHdr)).toBe(
      recorded.runs.reduce(
        (n: number, r: { latency: { e2e: { count: number } } }) => n + r.latency.e2e.count,
        0,
      ),
    );
    expect(report.thresholds).toEqual([
      expect.objectContaining({ metric: "counts.lost", passed: true, actual: 0 }),
    ]);
    const md = await readFile(summary, "utf8");
    expect(md.startsWith("earlier step\n## benchline compare: cmp ✅ pass")).toBe(true);
  });

  it("a slowed server (40 ms proxy): e2e regressed, exit 1", async () => {
    await using proxy = await startDelayProxy(server.clientUrl, 40);
    const r = await runCli(compareArgs(["--server", proxy.url, "--json"]));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fail: regressed: e2e\.p50, e2e\.p95, e2e\.p99/m);
    const report = JSON.parse(r.stdout);
    const p50 = report.metrics.find((m: { metric: string }) => m.metric === "e2e.p50");
    expect(p50.verdict).toBe("regressed");
    expect(p50.candidateMedian).toBeGreaterThan(39_000);
    expect(p50.pValue).toBeLessThan(0.05);
    // Caught with the control applied: a proxy slows the server's answers, not benchline's work.
    expect(report.machineControl.applied).toBe(true);
    expect(p50.machineAdjusted).toBeDefined();
  });

  it("refuses a candidate result of another profile, unless told", async () => {
    const other = await writeProfile(dir.path, "other", load.replace("rate: 2000", "rate: 1000"));
    const run = await runCli(["run", other, "--server", server.clientUrl, "--out", join(dir.path, "o")]);
    expect(run.code).toBe(0);
    const runDir = join(dir.path, "o", (await readdir(join(dir.path, "o")))[0]!);
    const files = Array.from({ length: 6 }, () => join(runDir, "result.json"));
    const refused = await runCli([
      "compare",
      baseline,
      ...files.flatMap((f) => ["--candidate", f]),
      "--out",
      join(dir.path, "c2"),
    ]);
    expect(refused.code).toBe(2);
    expect(expectOneLineError(refused)).toMatch(
      /candidate profile other \(hash [0-9a-f]{16}\) is not the baseline's \([0-9a-f]{16}\); compare like with like, or pass --allow-profile-change/,
    );
    const allowed = await runCli([
      "compare",
      baseline,
      ...files.flatMap((f) => ["--candidate", f]),
      "--allow-profile-change",
      "--metric",
      "throughput.publishedPerSec",
      "--out",
      join(dir.path, "c2"),
    ]);
    expect(allowed.code).toBe(1);
    expect(allowed.stdout).toMatch(/throughput\.publishedPerSec .* REGRESSED/);
    expect(allowed.stdout).toContain(
      "warning: the candidate's profile differs from the baseline's (--allow-profile-change)",
    );
    // Another rate moves the control itself: latency is compared as measured.
    expect(allowed.stdout).toContain(
      "machine control: not applied, latency compared as measured (the candidate's profile differs from the baseline's)",
    );
  });

  it("refuses a baseline with too few runs for the test, and files that are not baselines", async () => {
    const b = JSON.parse(await readFile(baseline, "utf8"));
    const small = join(dir.path, "small.json");
    await writeFile(small, JSON.stringify({ ...b, runs: b.runs.slice(0, 2) }));
    const r = await runCli(["compare", small, "--repeat", "2"]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toContain(
      "holds 2 runs; against 2 candidate runs no difference in 7 metrics can reach significance at 0.05 (Holm-adjusted); use --repeat 23 or more",
    );
    const notJson = join(dir.path, "bad.json");
    await writeFile(notJson, "{ nope");
    const r2 = await runCli(["compare", notJson]);
    expect(r2.code).toBe(2);
    expect(expectOneLineError(r2)).toMatch(/bad\.json is not JSON/);
    const r3 = await runCli(["compare", baseline, "--noise", "lots"]);
    expect(r3.code).toBe(2);
    expect(expectOneLineError(r3)).toContain(
      "--noise lots: give a percentage (5) or METRIC=PERCENT (pubAck.p99=10)",
    );
  });

  it("a 3-run baseline: files say how many would do, and compare's own runs are as many as it needs", async () => {
    const b = JSON.parse(await readFile(baseline, "utf8"));
    const three = join(dir.path, "three.json");
    await writeFile(three, JSON.stringify({ ...b, runs: b.runs.slice(0, 3) }));
    // The record's own five run results: the baseline's profile, so only the counts are in question.
    const recorded = join(dir.path, "a");
    const files = (await readdir(recorded)).sort().map((d) => join(recorded, d, "result.json"));
    expect(files).toHaveLength(5);
    const given = files.flatMap((f) => ["--candidate", f]);
    const out = ["--out", join(dir.path, "three"), "--noise", "50", "--json"];

    const refused = await runCli(["compare", three, ...given, ...out]);
    expect(refused.code).toBe(2);
    const line = expectOneLineError(refused);
    expect(line).toContain(
      "holds 3 runs; against 5 candidate files no difference in 7 metrics can reach significance at 0.05 (Holm-adjusted); give 10 or more --candidate files, or name at most 1 with --metric",
    );
    expect(line).not.toContain("--repeat");

    const one = await runCli(["compare", three, ...given, "--metric", "throughput.publishedPerSec", ...out]);
    expect(one.code, one.stderr).toBe(0);
    const judged = JSON.parse(one.stdout);
    expect(judged.candidate.runs).toBe(5);
    expect(judged.metrics.map((m: { verdict: string }) => m.verdict)).not.toContain("insufficient data");

    // No --repeat: two metrics against 3 runs need 6 candidates (2 x 2/84 < 0.05), so compare runs 6.
    const metrics = ["--metric", "throughput.publishedPerSec", "--metric", "e2e.p50"];
    const rerun = await runCli(["compare", three, "--server", server.clientUrl, ...metrics, ...out]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(
      "note: " +
        three +
        " holds 3 runs: running 6 candidates instead of 5, the fewest with which 2 metrics can reach significance at 0.05 (--repeat sets the count)",
    );
    const report = JSON.parse(rerun.stdout);
    expect(report.candidate.runs).toBe(6);
    expect(report.metrics.map((m: { verdict: string }) => m.verdict)).not.toContain("insufficient data");
  });

  it("an interrupted record writes nothing and leaves an existing baseline as it was", async () => {
    const before = await readFile(baseline, "utf8");
    const mtime = (await stat(baseline)).mtimeMs;
    const from = (await server.monitor.varz()).inMsgs;
    const cli = startCli(recordArgs(join(dir.path, "a2")));
    // Into the first run's measured phase (warmup is 300 ms at 2,000 msgs/s).
    await waitForTraffic(server, 1500, from);
    const code = await cli.interrupt();
    expect(code).toBe(130);
    expect(cli.stderr()).toMatch(/interrupted: interrupted in run \d of 5; .*base\.json was not written/);
    expect(await readFile(baseline, "utf8")).toBe(before);
    expect((await stat(baseline)).mtimeMs).toBe(mtime);
    expect((await readdir(dir.path)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
