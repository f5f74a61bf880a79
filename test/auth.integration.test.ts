/**
 * A short load against a server that requires each way of connecting: token, user/password, nkey,
 * creds (JWT), TLS and mutual TLS. Every output of every run is scanned for the secret's bytes.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { NatsServer, type StartOptions } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { makeNkeyUser, makeOperator, makePki, type Pki } from "./helpers/credentials.js";
import { writeProfile } from "./helpers/profiles.js";
import { expectNoSecrets } from "./helpers/secrets.js";
import { tempDir } from "./helpers/tmp.js";

const LOAD = `stream: {name: AUTHED, subjects: ["authed.>"]}\npublishers:\n  - {mode: jetstream, subject: authed.a, rate: 1000}\nconsumers:\n  - {kind: pull}\nwarmup: 500ms\nduration: 1500ms\ndrain: 2s\nworkers: 1\n`;

interface Method {
  name: string;
  server: (
    d: string,
  ) => Promise<{ options: StartOptions; flags: string[]; env?: NodeJS.ProcessEnv; secrets: string[] }>;
}

let pki: Pki;
let keysDir: string;
let cleanup: AsyncDisposable;

beforeAll(async () => {
  const d = await tempDir();
  cleanup = d;
  keysDir = d.path;
  pki = await makePki(d.path);
});
afterAll(async () => {
  await cleanup?.[Symbol.asyncDispose]();
});

const methods: Method[] = [
  {
    name: "token (from NATS_TOKEN)",
    server: async () => ({
      options: { auth: { token: "tok-5ecret-a1b2c3" } },
      flags: [],
      env: { NATS_TOKEN: "tok-5ecret-a1b2c3" },
      secrets: ["tok-5ecret-a1b2c3"],
    }),
  },
  {
    name: "user and password (flags)",
    server: async () => ({
      options: { auth: { user: "bench", password: "pw-5ecret-d4e5f6" } },
      flags: ["--user", "bench", "--password", "pw-5ecret-d4e5f6"],
      secrets: ["pw-5ecret-d4e5f6"],
    }),
  },
  {
    name: "nkey seed file",
    server: async (d) => {
      const u = await makeNkeyUser(d);
      return {
        options: { auth: { nkeys: [u.publicKey] } },
        flags: ["--nkey", u.seedFile],
        secrets: [u.seed],
      };
    },
  },
  {
    name: "creds file (operator, account, user JWT)",
    server: async (d) => {
      const o = await makeOperator(d);
      return {
        options: {
          auth: { operatorJwt: o.operatorJwt, systemAccount: o.systemAccount, accountJwts: o.accountJwts },
        },
        flags: ["--creds", o.credsFile],
        secrets: [o.userSeed, o.userJwt],
      };
    },
  },
  {
    name: "TLS with a CA file",
    server: async () => ({
      options: { tls: { certFile: pki.serverCert, keyFile: pki.serverKey, verify: false } },
      flags: ["--tls-ca", pki.caFile],
      secrets: [],
    }),
  },
  {
    name: "mutual TLS",
    server: async () => ({
      options: {
        tls: { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile, verify: true },
      },
      flags: ["--tls-ca", pki.caFile, "--tls-cert", pki.clientCert, "--tls-key", pki.clientKey],
      secrets: [(await readFile(pki.clientKey, "utf8")).split("\n")[1]!],
    }),
  },
];

describe("connecting with each auth method", () => {
  for (const method of methods) {
    it(`${method.name}: a short load runs, complete and clean, and no output holds the secret`, async () => {
      await using dir = await tempDir();
      const m = await method.server(dir.path);
      await using server = await NatsServer.start(m.options);
      const profile = await writeProfile(dir.path, "authed", LOAD);
      const out = join(dir.path, "artifacts");
      const prom = join(dir.path, "final.prom");
      const cli = await runCli(
        [
          "run",
          profile,
          "--server",
          server.clientUrl,
          ...m.flags,
          "--json",
          "--html",
          "--out",
          out,
          "--prometheus",
          prom,
        ],
        { env: m.env },
      );
      expect(cli.stderr.split("\n").filter((l) => l.startsWith("error"))).toEqual([]);
      expect(cli.code).toBe(0);
      const result = JSON.parse(cli.stdout) as RunResult;
      expect(result.complete).toBe(true);
      expect(result.counts.published).toBeGreaterThan(1500);
      expect(result.counts.consumed).toBe(result.counts.acked);
      expect(result.counts.lost).toBe(0);
      // The load took benchline's own data path on this connection, whatever its auth.
      expect(result.env.dataPath).toEqual({
        publish: "frames",
        parse: "fast",
        receive: "wire",
        deliver: "direct",
      });
      // Outputs only: result.json, summary.md, report.html, charts, .hgrm, the Prometheus file, stdout, stderr.
      expect(await expectNoSecrets(cli, [out, prom], m.secrets)).toBeGreaterThan(12);
    });
  }

  it("a baseline recorded with a token keeps no token, and compare takes it again from the environment", async () => {
    await using dir = await tempDir();
    const token = "tok-baseline-9z8y7x";
    await using server = await NatsServer.start({ auth: { token } });
    const profile = await writeProfile(dir.path, "authed", LOAD.replace("duration: 1500ms", "duration: 1s"));
    const file = join(dir.path, "base.json");
    const rec = await runCli(
      [
        "baseline",
        "record",
        profile,
        "--repeat",
        "3",
        "--server",
        server.clientUrl,
        "--out",
        file,
        "--artifacts",
        join(dir.path, "a"),
      ],
      { env: { NATS_TOKEN: token } },
    );
    expect(rec.code).toBe(0);
    const baseline = JSON.parse(await readFile(file, "utf8"));
    expect(baseline.profile.auth).toEqual({ token: "[redacted]" });
    expect(await expectNoSecrets(rec, [file, join(dir.path, "a")], [token])).toBeGreaterThan(6);
    // Without the token the stored profile cannot run; the error says how to give it back.
    const compare = ["compare", file, "--repeat", "6", "--metric", "throughput.publishedPerSec"];
    const bare = await runCli([...compare, "--server", server.clientUrl, "--out", join(dir.path, "c")]);
    expect(bare.code).toBe(2);
    expect(expectOneLineError(bare)).toContain(
      "pass it again (--token, --password or NATS_TOKEN/NATS_PASSWORD)",
    );
    const again = await runCli(
      [...compare, "--server", server.clientUrl, "--out", join(dir.path, "c"), "--html"],
      {
        env: { NATS_TOKEN: token },
      },
    );
    expect(again.stderr.split("\n").filter((l) => l.startsWith("error"))).toEqual([]);
    expect(again.code).toBe(0);
    expect(await expectNoSecrets(again, [join(dir.path, "c")], [token])).toBeGreaterThan(8);
  });
});

describe("refusals", () => {
  it("wrong credentials, an untrusted or expired certificate, a missing client certificate: exit 3, one line", async () => {
    await using dir = await tempDir();
    const profile = await writeProfile(dir.path, "authed", LOAD);
    await using pw = await NatsServer.start({ auth: { user: "bench", password: "right-one" } });
    await using tls = await NatsServer.start({
      tls: { certFile: pki.serverCert, keyFile: pki.serverKey, verify: false },
    });
    await using expired = await NatsServer.start({
      tls: { certFile: pki.expiredCert, keyFile: join(keysDir, "expired-key.pem"), verify: false },
    });
    await using mtls = await NatsServer.start({
      tls: { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile, verify: true },
    });
    const cases: Array<[string, string[], RegExp]> = [
      [
        "wrong password",
        ["--server", pw.clientUrl, "--user", "bench", "--password", "wrong-one"],
        /refused the credentials/,
      ],
      [
        "no CA",
        ["--server", tls.clientUrl],
        /TLS certificate is not trusted .*pass its CA with --tls-ca FILE/,
      ],
      [
        "another CA",
        ["--server", tls.clientUrl, "--tls-ca", pki.otherCaFile],
        /not trusted .*check that --tls-ca is the CA that signed it/,
      ],
      ["expired", ["--server", expired.clientUrl, "--tls-ca", pki.caFile], /TLS certificate has expired/],
      ["no client certificate", ["--server", mtls.clientUrl, "--tls-ca", pki.caFile], /^error: /],
    ];
    for (const [what, flags, message] of cases) {
      const r = await runCli([
        "run",
        profile,
        ...flags,
        "--connect-timeout",
        "3s",
        "--out",
        join(dir.path, "a"),
      ]);
      expect(r.code, what).toBe(3);
      expect(expectOneLineError(r), what).toMatch(message);
      expect(r.stderr, what).not.toMatch(/wrong-one|right-one/);
    }
    // --tls-insecure is the explicit way past an untrusted certificate, never a default.
    const insecure = await runCli([
      "run",
      profile,
      "--server",
      tls.clientUrl,
      "--tls-insecure",
      "--json",
      "--out",
      join(dir.path, "b"),
    ]);
    expect(insecure.code).toBe(0);
  });
});
