/**
 * A thrown error in a worker thread ends the run within seconds: the partial result is written and
 * marked incomplete, exit 3, one line that names the thread and the error, no stack trace.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

it("a worker that throws mid-run ends the run in seconds with a partial result and one line", async () => {
  await using dir = await tempDir();
  const out = join(dir.path, "artifacts");
  const started = Date.now();
  const cli = await runCli(["run", "profiles/smoke.yaml", "--duration", "20s", "--no-charts", "--out", out], {
    env: { BENCHLINE_FAILPOINT: "thread-throw" },
    timeoutMs: 60_000,
  });
  const tookMs = Date.now() - started;
  expect(cli.code).toBe(3);
  // The failpoint throws 0.5 s after the start; the 20 s run must not go on (server start and stop
  // included, 3-9 s measured on this 2-core machine).
  expect(tookMs).toBeLessThan(15_000);
  expect(cli.stderr).not.toMatch(/\n\s+at /);
  const last = cli.stderr.trim().split("\n").at(-1)!;
  expect(last).toMatch(
    /^error: the run failed: worker thread \d+ crashed \(TypeError: failpoint thread-throw: .*\): a bug in benchline; rerun with --debug and report it; partial result in /,
  );
  const [run] = await readdir(out);
  const result = JSON.parse(await readFile(join(out, run!, "result.json"), "utf8")) as RunResult;
  expect(result.complete).toBe(false);
  expect(result.abortReason).toMatch(/worker thread \d+ crashed/);
});
