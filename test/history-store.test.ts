import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { importFiles } from "../src/history/import.js";
import { openLocalStore } from "../src/history/local-store.js";
import { recordHistory } from "../src/history/record.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { storedEntry } from "./fixtures/history.js";
import { fixtureRun } from "./fixtures/run-result.js";

const CLI = resolve("dist/src/cli.js");
const tmp = () => mkdtemp(join(tmpdir(), "bl-history-"));

const entry = (i: number) => storedEntry(i, { sha: `s${i}` });

describe("local history store", () => {
  it("appends, lists in time order, reads histograms back, and stores an entry once", async () => {
    const store = await openLocalStore(await tmp());
    expect(await store.append([entry(2), entry(1)])).toBe(2);
    expect(await store.append([entry(1)])).toBe(0);
    const listed = await store.list({ profile: "fixture" });
    expect(listed.map((e) => e.gitSha)).toEqual(["s1", "s2"]);
    expect(listed[0]!.runs[0]!.metrics["pubAck.p99"]).toBe(21_000);
    expect(listed[0]!.gating).toContain("pubAck.p99");
    const [full] = await store.read([listed[0]!.id]);
    expect(full!.runs[0]!.hdr).toEqual({ pubAck: "HISTFAAAAA", e2e: "HISTFAAAAA" });
    expect(await store.list({ profile: "other" })).toEqual([]);
    expect((await store.list({ since: "2026-01-01T00:02:00.000Z" })).length).toBe(1);
  });

  it("reads past a write under way, names a line cut short (exit 2), refuses a directory that is not a store", async () => {
    const dir = await tmp();
    const store = await openLocalStore(dir);
    await store.append([entry(1)]);
    // A write under way (or cut short): not an entry yet, and no error while it may still complete.
    await appendFile(join(dir, "index.jsonl"), '{"id": "x", "prof');
    expect((await store.list({})).map((e) => e.runs.length)).toEqual([1]);
    // The next writer starts on a line of its own: its entry is whole, the cut line is named.
    await store.append([entry(2)]);
    const text = await readFile(join(dir, "index.jsonl"), "utf8");
    expect(text.split("\n").filter((l) => l !== "")).toHaveLength(3);
    await expect(store.list({})).rejects.toMatchObject({
      exitCode: 2,
      message: `history store corrupt: ${dir}/index.jsonl line 3 is not JSON (a write cut short?); remove that line to go on`,
    });
    const other = await tmp();
    await writeFile(join(other, "notes.txt"), "mine");
    await expect(openLocalStore(other)).rejects.toMatchObject({
      exitCode: 2,
      message: `${other} is not a benchline history store (no format.json); name an empty or new directory`,
    });
  });

  it("imports a baseline and a result; refuses a result of another profile", async () => {
    const dir = await tmp();
    const store = await openLocalStore(dir);
    const baselineFile = join(dir, "..", `${Date.now()}-b.json`);
    const b = fixtureBaseline();
    await writeFile(baselineFile, JSON.stringify(b));
    const { added } = await importFiles(store, [baselineFile], {});
    expect(added).toBe(1);
    const [e] = await store.list({ profile: "orders" });
    expect(e!.source).toBe("import:baseline");
    expect(e!.runs.map((r) => r.metrics["pubAck.p99"])).toEqual([10_000, 12_000, 14_000]);
    const resultFile = join(dir, "..", `${Date.now()}-r.json`);
    await writeFile(resultFile, JSON.stringify(fixtureRun()));
    await expect(importFiles(store, [resultFile], { profile: "orders" })).rejects.toMatchObject({
      exitCode: 2,
      message: `${resultFile} is a result of profile fixture, not orders; nothing was imported`,
    });
    const changed = {
      ...b,
      profile: { ...b.profile, publishers: [{ ...b.profile.publishers[0]!, ratePerSec: 5 }] },
    };
    changed.runs = changed.runs.map((r) => ({ ...r, startedAt: "2026-11-21T10:00:00.000Z" }));
    await writeFile(baselineFile, JSON.stringify(changed));
    await expect(importFiles(store, [baselineFile], {})).rejects.toThrow(
      /is a result of another profile: orders hash/,
    );
    expect((await importFiles(store, [resultFile], {})).added).toBe(1);
  });

  it("an unreachable store says what was not stored, and does not throw", async () => {
    const lines: string[] = [];
    const ok = await recordHistory("postgres://bench:s3cret@127.0.0.1:1/bench", [entry(1)], (l) =>
      lines.push(l),
    );
    expect(ok).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warning: history: run of fixture \(1 run, 2026-01-01T00:01:00.000Z\) not stored in postgres:\/\/\[redacted\]@127.0.0.1:1\/bench: history store .* is unreachable: .*; the results on disk are complete$/,
    );
    expect(lines[0]).not.toContain("s3cret");
  });

  it.skipIf(!existsSync(CLI))("two processes appending at once lose nothing", async () => {
    const dir = await tmp();
    await openLocalStore(dir);
    const script = `
      import { openLocalStore } from ${JSON.stringify(resolve("dist/src/history/local-store.js"))};
      const base = JSON.parse(process.argv[2]);
      const store = await openLocalStore(process.argv[1]);
      for (let i = 0; i < 40; i++) await store.append([{ ...base, id: process.argv[3] + i }]);`;
    const writer = (tag: string) =>
      new Promise<number>((done) =>
        spawn(process.execPath, ["--input-type=module", "-e", script, dir, JSON.stringify(entry(1)), tag], {
          stdio: "inherit",
        }).on("exit", (code) => done(code ?? 1)),
      );
    expect(await Promise.all([writer("a"), writer("b")])).toEqual([0, 0]);
    const store = await openLocalStore(dir);
    const ids = (await store.list({})).map((e) => e.id);
    expect(new Set(ids).size).toBe(80);
    const lines = (await readFile(join(dir, "index.jsonl"), "utf8")).split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(80);
  });

  it.skipIf(!existsSync(CLI))("the CLI: a corrupt store is one line and exit 2", async () => {
    const dir = await tmp();
    await writeFile(join(dir, "format.json"), "{");
    const r = spawnSync(process.execPath, [CLI, "history", "check", "orders", "--history", dir], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: history store ${dir}: format.json is corrupt (not JSON)\n`);
  });
});
