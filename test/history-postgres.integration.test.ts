/**
 * The shared history store against a real PostgreSQL: a throwaway cluster in a temp dir, started by
 * this test (initdb, postgres on a free port of 127.0.0.1), stopped afterwards. postgres refuses to run
 * as root, so as root the cluster belongs to the postgres user and its commands run through runuser.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../src/history/postgres-store.js";
import { openStore } from "../src/history/store.js";
import { storedEntry } from "./fixtures/history.js";

const BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const present = existsSync(join(BIN, "initdb")) && existsSync(join(BIN, "postgres"));
if (!present)
  console.warn(
    `skipping the PostgreSQL history tests: no initdb/postgres in ${BIN} (Debian package postgresql; .ci/run installs it)`,
  );

const asRoot = process.getuid?.() === 0;
const as = (cmd: string, args: string[]): [string, string[]] =>
  asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

const entry = (i: number) => storedEntry(i, { sha: `sha${i}`, branch: "main" });

describe.skipIf(!present)("PostgreSQL history store", () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bl-pg-"));
    if (asRoot)
      chownSync(
        dir,
        Number(execFileSync("id", ["-u", "postgres"]).toString()),
        Number(execFileSync("id", ["-g", "postgres"]).toString()),
      );
    const data = join(dir, "data");
    execFileSync(...as(join(BIN, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]), {
      stdio: "ignore",
    });
    const port = await freePort();
    server = spawn(
      ...as(join(BIN, "postgres"), [
        "-D",
        data,
        "-k",
        dir,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
      ]),
      { stdio: "ignore" },
    );
    url = `postgres://postgres:not-a-real-secret@127.0.0.1:${port}/postgres`;
    for (let i = 0; ; i++) {
      try {
        await (await openStore(url)).close();
        break;
      } catch (err) {
        if (i > 100 || server.exitCode !== null) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }, 60_000);

  afterAll(async () => {
    // runuser does not pass signals on to postgres: pg_ctl stops it by its pid file.
    if (server) {
      const exited = new Promise((r) => (server.exitCode !== null ? r(null) : server.once("exit", r)));
      try {
        execFileSync(...as(join(BIN, "pg_ctl"), ["stop", "-D", join(dir, "data"), "-m", "immediate", "-w"]), {
          stdio: "ignore",
        });
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      server.kill("SIGKILL");
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it("8 concurrent writers, each with its own connection and schema check: exactly 8 entries, whole", async () => {
    const writers = Array.from({ length: 8 }, async (_, i) => {
      const store = await openPostgresStore(url);
      try {
        return await store.append([entry(i)]);
      } finally {
        await store.close();
      }
    });
    expect(await Promise.all(writers)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const store = await openStore(url);
    try {
      const listed = await store.list({ profile: "fixture" });
      expect(listed.map((e) => e.gitSha)).toEqual([
        "sha0",
        "sha1",
        "sha2",
        "sha3",
        "sha4",
        "sha5",
        "sha6",
        "sha7",
      ]);
      expect(listed[3]!.runs[0]!.metrics).toEqual(entry(3).runs[0]!.metrics);
      expect(listed[3]).toMatchObject({
        gitBranch: "main",
        fingerprint: entry(3).fingerprint,
        gating: entry(3).gating,
      });
      const [full] = await store.read([listed[5]!.id]);
      expect(full!.runs[0]!.hdr).toEqual({ pubAck: "HISTFAAAAA", e2e: "HISTFAAAAA" });
      expect(await store.append([entry(0)])).toBe(0);
      expect(store.label).not.toContain("not-a-real-secret");
    } finally {
      await store.close();
    }
  });

  it("an unreachable server is exit 3 with the password redacted", async () => {
    const port = await freePort();
    await expect(openStore(`postgres://bench:hunter22@127.0.0.1:${port}/x`)).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(
        new RegExp(
          `^history store postgres://\\[redacted\\]@127.0.0.1:${port}/x is unreachable: .*ECONNREFUSED`,
        ),
      ),
    });
  });
});
