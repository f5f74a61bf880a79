/** `benchline quick` against an embedded nats-server: how long an Object Store run takes, and its errors. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

describe("quick obj", () => {
  // Issue 21: gets of an object a put replaced waited for purged chunks until the 30 s op timeout, so a
  // 3 s run took 37 s, 31 of them a silent drain.
  it("ends soon after its measured phase, with the operations it made", async () => {
    await using dir = await tempDir();
    const durationS = 3;
    const started = Date.now();
    const r = await runCli(
      ["quick", "obj", "--duration", `${durationS}s`, "--warmup", "1s", "--clients", "2", "--json"].concat([
        "--no-charts",
        "--out",
        join(dir.path, "a"),
      ]),
      { cwd: dir.path },
    );
    const tookS = (Date.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(0);
    // Generous for a loaded 2-core machine: server start, bucket setup and preload, teardown.
    expect(tookS).toBeLessThan(durationS + 15);
    const result = JSON.parse(r.stdout) as RunResult;
    // Warmup, measured phase and a drain with nothing left to wait for: far from the 30 s op timeout.
    expect(result.durationS).toBeLessThan(1 + durationS + 5);
    expect(result.counts.ops).toBeGreaterThan(50);
    expect(result.counts.opErrors).toEqual({});
    expect(result.latency.objPut!.count).toBeGreaterThan(0);
    expect(result.latency.objGet!.count).toBeGreaterThan(0);
  });
});

describe("quick service", () => {
  it("without the service: exit 3, naming the service and the subject no one answered, not a file", async () => {
    await using dir = await tempDir();
    const r = await runCli(
      ["quick", "service", "--service", "nosuch", "--endpoint", "echo", "--duration", "1s"].concat([
        "--out",
        join(dir.path, "a"),
      ]),
      { cwd: dir.path },
    );
    expect(r.code).toBe(3);
    const line = expectOneLineError(r);
    expect(line).toBe(
      "error: quick service: publishers[0].service: no instance of service nosuch answered $SRV.INFO.nosuch (no responders): start the service, or name one that `benchline services` lists",
    );
    expect(line).not.toContain(".yaml");
  });
});
