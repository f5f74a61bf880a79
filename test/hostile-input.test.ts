/**
 * Hostile input across the commands: each case checks the exit code, one line naming the problem, no
 * stack trace, and that no existing file (profile, baseline, result) changed or was left half-written.
 */
import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsServer } from "../src/server/launcher.js";
import { fixtureBaseline } from "./fixtures/baseline.js";
import { chartedRun } from "./fixtures/charted-run.js";
import { type CliResult, runCli } from "./helpers/cli.js";
import { makePki, type Pki } from "./helpers/credentials.js";
import { startDelayProxy } from "./helpers/delay-proxy.js";
import { tempDir } from "./helpers/tmp.js";
import { waitForTraffic } from "./helpers/wait.js";

const OK =
  "name: ok\npublishers: [{mode: core, subject: h.x, rate: 200}]\nconsumers: [{kind: core, subject: h.x}]\nwarmup: 0s\nduration: 1s\ndrain: 500ms\nworkers: 1\n";
const with_ = (extra: string) => `${OK}${extra}`;
const pub = (fields: string) => OK.replace("rate: 200}", `rate: 200, ${fields}}`);

let sandbox: string;
let cleanup: AsyncDisposable;
let pki: Pki;
let token: NatsServer;
let tls: NatsServer;
let expired: NatsServer;
/** Mount points of tiny filesystems (root only): one full, one read-only. */
let fullFs: string | undefined;
let readOnlyFs: string | undefined;

async function write(name: string, text: string): Promise<string> {
  const path = join(sandbox, name);
  await writeFile(path, text);
  return path;
}

function mountTiny(dir: string, options: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const d = await tempDir();
  cleanup = d;
  sandbox = d.path;
  await mkdir(join(sandbox, "keys"));
  pki = await makePki(join(sandbox, "keys"));
  token = await NatsServer.start({ auth: { token: "the-right-token" } });
  tls = await NatsServer.start({ tls: { certFile: pki.serverCert, keyFile: pki.serverKey, verify: false } });
  expired = await NatsServer.start({
    tls: { certFile: pki.expiredCert, keyFile: join(sandbox, "keys", "expired-key.pem"), verify: false },
  });
  await write("ok.yaml", OK);
  await write("base.json", `${JSON.stringify(fixtureBaseline(), null, 2)}\n`);
  await write("result.json", `${JSON.stringify(chartedRun(), null, 2)}\n`);
  await mkdir(join(sandbox, "full"));
  await mkdir(join(sandbox, "ro"));
  if (mountTiny(join(sandbox, "full"), "size=16k")) {
    fullFs = join(sandbox, "full");
    await writeFile(join(fullFs, "filler"), Buffer.alloc(12 * 1024)).catch(() => {});
  }
  if (mountTiny(join(sandbox, "ro"), "size=16k,ro")) readOnlyFs = join(sandbox, "ro");
  if (!fullFs || !readOnlyFs)
    console.warn("not root: the full-disk and read-only cases run against plain dirs");
}, 60_000);

afterAll(async () => {
  for (const fs of [fullFs, readOnlyFs]) if (fs) execFileSync("umount", [fs], { stdio: "ignore" });
  await Promise.all([token, tls, expired].map((s) => s?.stop()));
  await cleanup?.[Symbol.asyncDispose]();
});

/** Path -> bytes of every file in the sandbox (mounted test filesystems excluded). */
async function snapshot(dir = sandbox): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path === fullFs || path === readOnlyFs) continue;
      for (const [k, v] of await snapshot(path)) out.set(k, v);
    } else out.set(path, (await readFile(path)).toString("base64"));
  }
  return out;
}

interface Case {
  name: string;
  /** Files this case needs; written before it runs. */
  files?: Record<string, string>;
  args: () => string[];
  env?: NodeJS.ProcessEnv;
  exit: number | (() => number);
  message: RegExp | (() => RegExp);
  /** Runs the command itself (for faults during a run). */
  run?: (args: string[]) => Promise<CliResult>;
}

const s = (name: string) => join(sandbox, name);
const out = () => ["--out", s("artifacts")];

const cases: Case[] = [
  // Bad and missing files
  {
    name: "missing profile",
    args: () => ["run", s("nope.yaml")],
    exit: 2,
    message: /cannot read profile .*nope\.yaml: no such file/,
  },
  {
    name: "profile is a directory",
    args: () => ["run", s("keys")],
    exit: 2,
    message: /cannot read profile .*keys: it is a directory/,
  },
  {
    name: "malformed YAML",
    files: { "bad.yaml": "name: x\npublishers: [\n  - {a: 1\n" },
    args: () => ["run", s("bad.yaml")],
    exit: 2,
    message: /bad\.yaml:\d+:\d+: malformed YAML/,
  },
  {
    name: "malformed JSON profile",
    files: { "bad.json": '{"name": ' },
    args: () => ["run", s("bad.json")],
    exit: 2,
    message: /bad\.json: malformed JSON/,
  },
  {
    name: "a profile that is a list",
    files: { "list.yaml": "- 1\n- 2\n" },
    args: () => ["run", s("list.yaml")],
    exit: 2,
    message: /a profile is a mapping of keys/,
  },
  {
    name: "unknown key",
    files: { "k.yaml": with_("colour: blue\n") },
    args: () => ["run", s("k.yaml")],
    exit: 2,
    message: /k\.yaml: unknown key colour/,
  },
  // Wrong types and absurd values
  {
    name: "rate of the wrong type",
    files: { "t.yaml": OK.replace("rate: 200", 'rate: "fast"') },
    args: () => ["run", s("t.yaml")],
    exit: 2,
    message: /publishers\[0\]\.rate: must be a positive number of msgs\/s or "max"/,
  },
  {
    name: "negative rate",
    files: { "n.yaml": OK.replace("rate: 200", "rate: -5") },
    args: () => ["run", s("n.yaml")],
    exit: 2,
    message: /publishers\[0\]\.rate: must be a positive number/,
  },
  {
    name: "rate 1e12",
    files: { "r.yaml": OK.replace("rate: 200", "rate: 1000000000000") },
    args: () => ["run", s("r.yaml")],
    exit: 2,
    message: /beyond what one host can generate/,
  },
  {
    name: "message size 0",
    files: { "z.yaml": pub("size: 0") },
    args: () => ["run", s("z.yaml")],
    exit: 2,
    message: /size: 0 bytes is too small/,
  },
  {
    name: "message size 100 MB",
    files: { "m.yaml": pub("size: 100MB") },
    args: () => ["run", s("m.yaml")],
    exit: 2,
    message: /size: 100000000 bytes is above the 64 MiB/,
  },
  {
    name: "duration 0",
    files: { "d.yaml": OK.replace("duration: 1s", "duration: 0s") },
    args: () => ["run", s("d.yaml")],
    exit: 2,
    message: /duration: must be above zero/,
  },
  {
    name: "10,000 workers",
    args: () => ["run", s("ok.yaml"), "--workers", "10000"],
    exit: 2,
    message: /--workers must be a whole number from 1 to 64, not 10000/,
  },
  {
    name: "--rate 0",
    args: () => ["run", s("ok.yaml"), "--rate", "0"],
    exit: 2,
    message: /--rate must be above 0/,
  },
  {
    name: "--duration nonsense",
    args: () => ["run", s("ok.yaml"), "--duration", "soon"],
    exit: 2,
    message: /--duration: "soon" is not a duration/,
  },
  {
    name: "bursts at rate max",
    files: { "b.yaml": OK.replace("rate: 200}", "rate: max, burst: {on: 1s, every: 500ms}}") },
    args: () => ["run", s("b.yaml")],
    exit: 2,
    message: /burst: bursts need a rate in msgs\/s/,
  },
  {
    name: "two ways to authenticate",
    files: { "a.yaml": with_("auth: {token: t, user: u, password: p}\n") },
    args: () => ["run", s("a.yaml")],
    exit: 2,
    message: /auth: use one way to authenticate, not token and user\/password/,
  },
  // Unknown flags and bad URLs
  {
    name: "unknown flag",
    args: () => ["run", s("ok.yaml"), "--turbo"],
    exit: 2,
    message: /Unknown argument: turbo/,
  },
  {
    name: "unknown flags of two words",
    args: () => ["run", s("ok.yaml"), "--turbo-mode", "--max-speed", "9"],
    exit: 2,
    message: /^error: Unknown arguments: turbo-mode, max-speed; see benchline run --help$/,
  },
  {
    name: "unknown command",
    args: () => ["explode"],
    exit: 2,
    message: /Unknown argument: explode|Unknown command/,
  },
  {
    name: "malformed server URL",
    args: () => ["run", s("ok.yaml"), "--server", "nats://:::"],
    exit: 2,
    message: /server URL "nats:\/\/:::" is not valid/,
  },
  {
    name: "an HTTP URL",
    args: () => ["run", s("ok.yaml"), "--server", "http://127.0.0.1:8222"],
    exit: 2,
    message: /benchline speaks the NATS protocol/,
  },
  {
    name: "unreachable server",
    args: () => ["run", s("ok.yaml"), "--server", "nats://127.0.0.1:1", ...out()],
    exit: 3,
    message: /cannot connect to nats:\/\/127\.0\.0\.1:1: connection refused/,
  },
  {
    name: "--metrics-port out of range",
    args: () => ["run", s("ok.yaml"), "--metrics-port", "70000"],
    exit: 2,
    message: /--metrics-port 70000: a TCP port is a whole number/,
  },
  // Refused auth and TLS
  {
    name: "refused token",
    args: () => ["run", s("ok.yaml"), "--server", token.clientUrl, "--token", "a-wrong-token", ...out()],
    exit: 3,
    message: /refused the credentials/,
  },
  {
    name: "a user without a password",
    args: () => ["run", s("ok.yaml"), "--user", "bench"],
    exit: 2,
    message:
      /^error: flags: a user needs a password \(--password or NATS_PASSWORD\); a token goes in --token$/,
  },
  {
    name: "missing nkey seed file",
    args: () => ["run", s("ok.yaml"), "--nkey", s("none.nk")],
    exit: 2,
    message: /cannot read the nkey seed file .*none\.nk: no such file/,
  },
  {
    name: "not a creds file",
    files: { "x.creds": "not creds\n" },
    args: () => ["run", s("ok.yaml"), "--creds", s("x.creds")],
    exit: 2,
    message: /x\.creds is not a creds file/,
  },
  {
    name: "--tls-cert without --tls-key",
    args: () => ["run", s("ok.yaml"), "--tls-cert", pki.clientCert],
    exit: 2,
    message: /--tls-cert and --tls-key go together/,
  },
  {
    name: "untrusted TLS certificate",
    args: () => ["run", s("ok.yaml"), "--server", tls.clientUrl, ...out()],
    exit: 3,
    message: /TLS certificate is not trusted/,
  },
  {
    name: "expired TLS certificate",
    args: () => ["run", s("ok.yaml"), "--server", expired.clientUrl, "--tls-ca", pki.caFile, ...out()],
    exit: 3,
    message: /TLS certificate has expired/,
  },
  // Baselines, compare, slo, capacity, report
  {
    name: "baseline of 2 runs",
    args: () => ["baseline", "record", s("ok.yaml"), "--repeat", "2", "--out", s("base.json")],
    exit: 2,
    message: /--repeat must be a whole number from 3 to 1000/,
  },
  {
    name: "bad profile over an existing baseline",
    files: { "k2.yaml": with_("colour: red\n") },
    args: () => ["baseline", "record", s("k2.yaml"), "--out", s("base.json")],
    exit: 2,
    message: /unknown key colour/,
  },
  {
    name: "baseline to a text file",
    args: () => ["baseline", "record", s("ok.yaml"), "--out", s("base.txt")],
    exit: 2,
    message: /a baseline file ends in \.json/,
  },
  {
    name: "baseline show of a result",
    args: () => ["baseline", "show", s("result.json")],
    exit: 2,
    message: /result\.json holds benchline\/run@1, not a baseline/,
  },
  {
    name: "truncated baseline",
    files: { "half.json": '{"schema": "benchline/baseline@1", "runs": [' },
    args: () => ["compare", s("half.json")],
    exit: 2,
    message: /half\.json is truncated \(the JSON ends early\)/,
  },
  {
    name: "compare an unknown metric",
    args: () => ["compare", s("base.json"), "--metric", "pubAck.p42"],
    exit: 2,
    message: /--metric pubAck\.p42: unknown metric/,
  },
  {
    name: "compare a missing candidate",
    // Five candidates, so the run count passes and the missing file is what is refused.
    args: () => [
      "compare",
      s("base.json"),
      "--metric",
      "pubAck.p99",
      ...Array(6)
        .fill(["--candidate", s("gone.json")])
        .flat(),
    ],
    exit: 2,
    message: /cannot read candidate .*gone\.json: no such file/,
  },
  {
    name: "slo of a missing baseline",
    args: () => ["slo", s("none.json")],
    exit: 2,
    message: /cannot read baseline .*none\.json: no such file/,
  },
  {
    name: "slo window in seconds, which OpenSLO does not take",
    args: () => ["slo", s("base.json"), "--format", "openslo", "--window", "30s"],
    exit: 2,
    message: /--window 30s: OpenSLO takes a positive whole number and one of m h d w M Q Y/,
  },
  {
    name: "slo window of a fraction of a day",
    args: () => ["slo", s("base.json"), "--window", "1.5d"],
    exit: 2,
    message: /--window 1\.5d: OpenSLO takes a positive whole number/,
  },
  {
    name: "capacity from rate 0",
    args: () => ["capacity", s("ok.yaml"), "--start", "0"],
    exit: 2,
    message: /--start must be above 0/,
  },
  {
    name: "report of a foreign JSON",
    files: { "foreign.json": '{"schema": "other@2"}' },
    args: () => ["report", s("foreign.json")],
    exit: 2,
    message: /is not a benchline result, baseline, compare or capacity file/,
  },
  // Disks that take nothing
  {
    name: "artifacts on a read-only filesystem",
    args: () => ["run", s("ok.yaml"), "--out", join(readOnlyFs ?? s("result.json"), "a")],
    exit: 2,
    message: /artifacts dir \(--out\) .* is not writable/,
  },
  {
    name: "baseline into a read-only filesystem, refused before the runs",
    args: () => ["baseline", "record", s("ok.yaml"), "--out", join(readOnlyFs ?? s("result.json"), "b.json")],
    exit: 2,
    message: /baseline dir \(--out\) .* is not writable/,
  },
  {
    name: "artifacts on a full disk",
    args: () => ["run", s("ok.yaml"), "--no-charts", "--out", fullFs ?? s("result.json")],
    exit: () => (fullFs ? 3 : 2),
    message: () =>
      fullFs
        ? /cannot write .*: ENOSPC; check that the directory is writable and the disk has room/
        : /is not writable/,
  },
  // A server that closes the connection mid-run
  {
    name: "a server that closes the connection mid-run",
    args: () => ["run", s("ok.yaml"), "--duration", "5s", "--reconnect-attempts", "0", ...out()],
    exit: 3,
    message: /the run failed: thread \d: lost the connection to the server/,
    run: async (args) => {
      const server = await NatsServer.start();
      const proxy = await startDelayProxy(server.clientUrl, 0);
      try {
        const running = runCli([...args, "--server", proxy.url]);
        await waitForTraffic(server, 500);
        proxy.cutAll();
        await proxy[Symbol.asyncDispose]();
        return await running;
      } finally {
        await server.stop();
      }
    },
  },
];

describe("hostile input", () => {
  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(`${c.name}: its exit code, one line, nothing changed`, async () => {
      for (const [name, text] of Object.entries(c.files ?? {})) await write(name, text);
      const before = await snapshot();
      const args = c.args();
      const r = c.run ? await c.run(args) : await runCli(args, { env: c.env });
      expect(r.code, r.stderr).toBe(typeof c.exit === "function" ? c.exit() : c.exit);
      // One error line (a run that fails part-way also says where its partial result went), no stack.
      const errors = r.stderr.split("\n").filter((l) => l.startsWith("error"));
      expect(errors, r.stderr).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(errors[0]).toMatch(typeof c.message === "function" ? c.message() : c.message);
      const after = await snapshot();
      for (const [path, bytes] of before) expect(after.get(path), `${path} changed`).toBe(bytes);
      // Nothing half-written anywhere: no temp file left behind.
      expect([...after.keys()].filter((p) => p.endsWith(".tmp"))).toEqual([]);
      if (fullFs)
        expect(
          (await readdir(fullFs, { recursive: true })).filter((f) => String(f).endsWith(".tmp")),
        ).toEqual([]);
    });
  }

  it("the sandbox's own files are intact at the end", async () => {
    expect(JSON.parse(await readFile(s("base.json"), "utf8")).schema).toBe("benchline/baseline@1");
    expect((await stat(s("result.json"))).size).toBeGreaterThan(1000);
  });
});
