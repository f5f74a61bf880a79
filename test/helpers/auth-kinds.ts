/**
 * One nats-server per way to authenticate (token, user and password, nkey, creds), the right and the
 * wrong credentials of each, and a runner of CLI cases that scans every output for every secret.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { NatsServer } from "../../src/server/launcher.js";
import { type CliResult, runCli } from "./cli.js";
import { makeNkeyUser, makeOperator } from "./credentials.js";
import { expectNoSecrets } from "./secrets.js";

export const TOKEN = "tok-S3CRET-right-1a2b";
export const TOKEN_WRONG = "tok-S3CRET-wrong-3c4d";
export const PASSWORD = "pw-S3CRET-right-5e6f";
export const PASSWORD_WRONG = "pw-S3CRET-wrong-7g8h";

export const hostOf = (s: NatsServer) => new URL(s.clientUrl).host;

/** One way to authenticate: a server that wants it, and the wrong credentials of that kind. */
export interface Kind {
  name: string;
  short: string;
  server: NatsServer;
  /** The wrong credentials as flags, as NATS_* environment, and as control-server flags. */
  flags: string[];
  env: NodeJS.ProcessEnv;
  control: string[];
  /** The server's URL, carrying the wrong credentials where a URL can (token, user:password). */
  url: string;
  /** The profile's `auth:` block with the wrong credentials. */
  auth: string;
  /** A secret of this kind where a file's path goes (or beside another credential). */
  pasted: string[];
}

export interface AuthKinds extends AsyncDisposable {
  kinds: Kind[];
  /** Every secret, right and wrong, of every kind. */
  secrets: string[];
  /** A creds file the operator's server would take, and its text. */
  credsFile: string;
  credsText: string;
}

/** Makes the credentials under dir and starts the four servers; dispose to stop them. */
export async function startAuthKinds(dir: string): Promise<AuthKinds> {
  await mkdir(join(dir, "right"), { recursive: true });
  await mkdir(join(dir, "wrong"), { recursive: true });
  const nk = await makeNkeyUser(join(dir, "right"));
  const nkWrong = await makeNkeyUser(join(dir, "wrong"));
  const op = await makeOperator(join(dir, "right"));
  // Another operator's user: a JWT the server cannot trust.
  const opWrong = await makeOperator(join(dir, "wrong"));
  const servers = await Promise.all([
    NatsServer.start({ auth: { token: TOKEN } }),
    NatsServer.start({ auth: { user: "bench", password: PASSWORD } }),
    NatsServer.start({ auth: { nkeys: [nk.publicKey] } }),
    NatsServer.start({
      auth: { operatorJwt: op.operatorJwt, systemAccount: op.systemAccount, accountJwts: op.accountJwts },
    }),
  ]);
  const [token, password, nkey, creds] = servers as [NatsServer, NatsServer, NatsServer, NatsServer];
  const kinds: Kind[] = [
    {
      name: "token",
      short: "token",
      server: token,
      flags: ["--token", TOKEN_WRONG],
      env: { NATS_TOKEN: TOKEN_WRONG },
      control: ["--control-token", TOKEN_WRONG],
      url: `nats://${TOKEN_WRONG}@${hostOf(token)}`,
      auth: `auth: {token: "${TOKEN_WRONG}"}`,
      pasted: ["--token", TOKEN, "--creds", TOKEN],
    },
    {
      name: "password",
      short: "password",
      server: password,
      flags: ["--user", "bench", "--password", PASSWORD_WRONG],
      env: { NATS_USER: "bench", NATS_PASSWORD: PASSWORD_WRONG },
      control: ["--control-user", "bench", "--control-password", PASSWORD_WRONG],
      url: `nats://bench:${PASSWORD_WRONG}@${hostOf(password)}`,
      auth: `auth: {user: bench, password: "${PASSWORD_WRONG}"}`,
      pasted: ["--user", "bench", "--password", PASSWORD, "--nkey", PASSWORD],
    },
    {
      name: "nkey seed",
      short: "nkey",
      server: nkey,
      flags: ["--nkey", nkWrong.seedFile],
      env: { NATS_NKEY: nkWrong.seedFile },
      control: ["--control-nkey", nkWrong.seedFile],
      url: nkey.clientUrl,
      auth: `auth: {nkey: "${nkWrong.seedFile}"}`,
      pasted: ["--nkey", nk.seed],
    },
    {
      name: "creds (JWT and seed)",
      short: "creds",
      server: creds,
      flags: ["--creds", opWrong.credsFile],
      env: { NATS_CREDS: opWrong.credsFile },
      control: ["--control-creds", opWrong.credsFile],
      url: creds.clientUrl,
      auth: `auth: {creds: "${opWrong.credsFile}"}`,
      pasted: ["--creds", op.userJwt],
    },
  ];
  return {
    kinds,
    secrets: [
      ...[TOKEN, TOKEN_WRONG, PASSWORD, PASSWORD_WRONG, nk.seed, nkWrong.seed],
      ...[op.userSeed, op.userJwt, opWrong.userSeed, opWrong.userJwt],
    ],
    credsFile: op.credsFile,
    credsText: await readFile(op.credsFile, "utf8"),
    [Symbol.asyncDispose]: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/** One invocation, in a directory of its own (`out`) that is its cwd and holds all it writes. */
export interface Case {
  what: string;
  args: (out: string) => string[];
  env?: NodeJS.ProcessEnv;
  /** The exit code: 3 for a refusal or an unreachable server, 2 for bad input. */
  code: number;
  /** Run with every kind of secret; the others (the same path in another command) with one kind each. */
  eachKind?: boolean;
}

let caseNumber = 0;

/**
 * Runs the cases three at a time, scanning stdout, stderr and every file under each case's directory
 * for every secret; then checks each ended with its code and at most one error line.
 */
export async function runCases(root: string, cases: Case[], secrets: string[]): Promise<void> {
  const results: Array<[Case, CliResult]> = [];
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const out = join(root, `case-${++caseNumber}`);
      await mkdir(out, { recursive: true });
      const cli = await runCli(c.args(out), {
        cwd: out,
        env: { NATS_URL: "", ...c.env },
        timeoutMs: 30_000,
      });
      expect(await expectNoSecrets(cli, [out], secrets), c.what).toBeGreaterThan(1);
      results.push([c, cli]);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  for (const [c, cli] of results) {
    const lines = cli.stderr.split("\n").filter((l) => /^(error|fail|interrupted): /.test(l));
    expect(lines.length, `${c.what}: ${cli.stderr}`).toBe(c.code === 0 ? 0 : 1);
    expect(cli.code, `${c.what}: ${cli.stderr}`).toBe(c.code);
    if (c.code === 3 && c.what.includes("refuse"))
      expect(lines[0], c.what).toMatch(/^error: nats:\/\/127\.0\.0\.1:\d+ refused the credentials/);
  }
}
