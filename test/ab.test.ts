/** `benchline ab`: interleaved runs on two targets, compare's verdicts of B against A. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CompareReport } from "../src/baseline/report-model.js";
import { abOrder } from "../src/commands/ab.js";
import { parseAbTarget } from "../src/commands/ab-target.js";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { startDelayProxy } from "./helpers/delay-proxy.js";
import { writeProfile } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

describe("ab targets and order", () => {
  it("alternates which side goes first, so drift falls on both alike", () => {
    expect(abOrder(3).join("")).toBe("ABBAAB");
    expect(abOrder(4).join("")).toBe("ABBAABBA");
  });

  it("reads a URL, config=FILE, bin=PATH or both; anything else is one line that lists the forms", () => {
    expect(parseAbTarget("nats://u:pw@a:4222,nats://b:4222", "--a")).toEqual({
      label: "nats://[redacted]@a:4222,nats://b:4222",
      options: { servers: ["nats://a:4222", "nats://b:4222"] },
      credentials: { user: "u", password: "pw" },
    });
    expect(() => parseAbTarget("nats://u:pw@a:4222,nats://t@b:4222", "--a")).toThrow(
      "--a: nats://[redacted]@a:4222 and nats://[redacted]@b:4222 carry different credentials",
    );
    expect(parseAbTarget("config=deploy/nats.conf", "--a").options).toEqual({
      embedded: { userConfig: { file: "deploy/nats.conf" }, bin: undefined },
    });
    expect(parseAbTarget("bin=/opt/2.10/nats-server,config=n.conf", "--b").options).toEqual({
      embedded: { userConfig: { file: "n.conf" }, bin: "/opt/2.10/nats-server" },
    });
    expect(() => parseAbTarget("binary=/x", "--b")).toThrow(
      "--b binary=/x: unknown target; give a server URL (nats://host:4222), config=FILE",
    );
    expect(() => parseAbTarget("bin=/x,cfg=y", "--b")).toThrow('"cfg=y" is not config=FILE or bin=PATH');
    expect(() => parseAbTarget("http://host:8222", "--a")).toThrow("benchline speaks the NATS protocol");
  });
});

describe("benchline ab", () => {
  it("A/A passes (exit 0); B behind a proxy that delays every reply by 10 ms regresses (exit 1)", async () => {
    await using dir = await tempDir();
    await using server = await NatsServer.start();
    await using proxy = await startDelayProxy(server.clientUrl, 10);
    const profile = await writeProfile(
      dir.path,
      "abreq",
      "publishers:\n  - {mode: request, subject: ab.req, rate: 200}\nresponders:\n  - {subject: ab.req}\nwarmup: 200ms\nduration: 800ms\ndrain: 200ms\nworkers: 1\n",
    );
    const summary = join(dir.path, "step-summary.md");
    const ab = (b: string, out: string) =>
      runCli(
        ["ab", profile, "--a", server.clientUrl, "--b", b, "--rounds", "4", "--metric", "request.p50"].concat(
          ["--noise", "25", "--no-charts", "--json", "--out", join(dir.path, out)],
        ),
        { env: { GITHUB_STEP_SUMMARY: summary, NATS_URL: undefined } },
      );

    const same = await ab(server.clientUrl, "aa");
    expect(same.code, same.stderr).toBe(0);
    const aa = JSON.parse(same.stdout) as CompareReport;
    expect(aa.ab).toEqual({ a: server.clientUrl, b: server.clientUrl, rounds: 4, order: "ABBAABBA" });
    expect(aa.passed).toBe(true);
    expect(aa.metrics[0]!.verdict).not.toBe("regressed");
    // The runs went in the interleaved order, each kept.
    expect(same.stderr.match(/^[AB] \d\/4/gm)).toEqual([
      "A 1/4",
      "B 1/4",
      "B 2/4",
      "A 2/4",
      "A 3/4",
      "B 3/4",
      "B 4/4",
      "A 4/4",
    ]);

    const slow = await ab(proxy.url, "ab");
    expect(slow.code).toBe(1);
    const report = JSON.parse(slow.stdout) as CompareReport;
    const [p50] = report.metrics;
    expect(p50!.verdict).toBe("regressed");
    // 10 ms added to every reply: B's median is at least 8 ms above A's.
    expect(p50!.candidateMedian - p50!.baselineMedian).toBeGreaterThan(8000);
    const verdictLine = slow.stderr.split("\n").filter((l) => /^(fail|error)/.test(l));
    expect(verdictLine).toEqual([
      expect.stringMatching(/^fail: B \(\S+\) regressed against A \(\S+\): request\.p50 \+\d+(\.\d)?%$/),
    ]);
    expect(verdictLine[0]).toContain(`B (${proxy.url}) regressed against A (${server.clientUrl})`);

    const [run] = await readdir(join(dir.path, "ab"));
    const files = await readdir(join(dir.path, "ab", run!));
    expect(files).toEqual(
      expect.arrayContaining([
        "compare.json",
        "compare.md",
        "junit.xml",
        "bencher.json",
        "a-4.json",
        "b-4.json",
      ]),
    );
    const junit = await readFile(join(dir.path, "ab", run!, "junit.xml"), "utf8");
    expect(junit).toContain('<testsuite name="benchline ab abreq" tests="1" failures="1"');
    const md = await readFile(summary, "utf8");
    expect(md).toContain("## benchline ab: abreq ✅ pass");
    expect(md).toContain("## benchline ab: abreq ❌ fail");
    expect(md).toContain(
      `4 runs of B (${proxy.url}) against 4 of A (${server.clientUrl}), interleaved ABBAABBA`,
    );
  });

  it("refuses what cannot work before any run", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(
      dir.path,
      "p",
      "publishers: [{mode: core, subject: x, rate: 10}]\nduration: 1s\n",
    );
    const few = await runCli([
      "ab",
      profile,
      "--a",
      "bin=/usr/sbin/nats-server",
      "--b",
      "nats://127.0.0.1:1",
      "--rounds",
      "3",
    ]);
    expect(few.code).toBe(2);
    expect(expectOneLineError(few)).toMatch(
      /3 rounds give 3 runs a side: too few .*; use --rounds \d+ or more/,
    );
    const noBin = await runCli([
      "ab",
      profile,
      "--a",
      "bin=/nonexistent/nats-server",
      "--b",
      "nats://127.0.0.1:1",
    ]);
    expect(noBin.code).toBe(2);
    expect(expectOneLineError(noBin)).toBe(
      "error: bin=/nonexistent/nats-server is not an executable file; give the path of a nats-server binary",
    );
  });
});
