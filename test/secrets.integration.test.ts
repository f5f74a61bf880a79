/**
 * No secret in any output, on any path: every command's error paths, with a token, a user's password,
 * an nkey seed and a creds file (its JWT and seed), given by flag, environment, URL, profile or nats
 * context; stdout, stderr and every file a command wrote are scanned for the bytes of every secret.
 * One server per kind of auth; every case fails fast (refused, unreachable, or refused before dialling).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { fixtureBaseline } from "./fixtures/baseline.js";
import {
  type AuthKinds,
  type Case,
  hostOf,
  type Kind,
  PASSWORD,
  runCases,
  startAuthKinds,
  TOKEN,
  TOKEN_WRONG,
} from "./helpers/auth-kinds.js";
import { tempDir } from "./helpers/tmp.js";

const SHORT_TOKEN = "k9S3cr3t";

/** A core load that fails at its first connection. */
const LOAD = "publishers: [{mode: core, subject: s.a, rate: 100}]\nwarmup: 0s\nduration: 1s\n";

let root: AsyncDisposable & { path: string };
let auth: AuthKinds;
let inputs: string;
let profile: string;

beforeAll(async () => {
  root = await tempDir();
  inputs = join(root.path, "inputs");
  auth = await startAuthKinds(inputs);
  profile = join(inputs, "load.yaml");
  await writeFile(profile, `name: load\n${LOAD}`);
  for (const k of auth.kinds) {
    // The wrong credentials in the profile: in the URL where a URL can carry them, else in auth:.
    const named =
      k.url === k.server.clientUrl ? `servers: ["${k.url}"]\n${k.auth}\n` : `servers: ["${k.url}"]\n`;
    await writeFile(join(inputs, `named-${k.short}.yaml`), `name: named\n${LOAD}${named}`);
    // A baseline recorded with credentials in the URL: stored as [redacted]@, given again by NATS_*.
    const baseline = fixtureBaseline();
    baseline.profile.servers = [`nats://[redacted]@${hostOf(k.server)}`];
    await writeFile(join(inputs, `baseline-${k.short}.json`), JSON.stringify(baseline));
  }
  // A nats CLI context holding the right token; a file that is not JSON but a token short enough to
  // fit whole in the excerpt V8 quotes from the text it cannot parse.
  await writeFile(join(inputs, "ctx.json"), JSON.stringify({ url: "nats://127.0.0.1:1", token: TOKEN }));
  await writeFile(join(inputs, "token.json"), `${SHORT_TOKEN}\n`);
});

afterAll(async () => {
  await auth?.[Symbol.asyncDispose]();
  await root?.[Symbol.asyncDispose]();
});

/** Every connecting command, refused or unreachable or stopped by bad input, with one kind of secret. */
function connectingCases(k: Kind): Case[] {
  const a = (out: string) => join(out, "a");
  const wrongServer = ["--server", k.url, ...(k.url === k.server.clientUrl ? k.flags : [])];
  const unreachable = k.url.replace(hostOf(k.server), "127.0.0.1:1");
  const unreachableServer = ["--server", unreachable, ...(unreachable.includes("@") ? [] : k.flags)];
  const fast = ["--connect-timeout", "2s"];
  const baselineFile = join(inputs, `baseline-${k.short}.json`);
  return [
    {
      what: `${k.name}: run, refused, flags, --debug`,
      eachKind: true,
      args: (o) => [
        "run",
        profile,
        "--server",
        k.server.clientUrl,
        ...k.flags,
        ...fast,
        "--out",
        a(o),
        "--debug",
      ],
      code: 3,
    },
    {
      what: `${k.name}: run, refused, NATS_* environment`,
      eachKind: true,
      args: (o) => ["run", profile, "--server", k.server.clientUrl, "--json", "--out", a(o)],
      env: k.env,
      code: 3,
    },
    {
      what: `${k.name}: run, unreachable server, credentials in its URL or flags, --debug`,
      eachKind: true,
      args: (o) => ["run", profile, ...unreachableServer, "--out", a(o), "--debug"],
      code: 3,
    },
    {
      what: `${k.name}: run, a profile naming the server and the credentials`,
      eachKind: true,
      args: () => ["run", join(inputs, `named-${k.short}.yaml`), "--debug"],
      code: 3,
    },
    {
      what: `${k.name}: run, a bad flag beside the secret`,
      args: (o) => ["run", profile, ...wrongServer, "--rate", "-5", "--out", a(o)],
      code: 2,
    },
    {
      what: `${k.name}: run, a secret where a file's path goes`,
      eachKind: true,
      args: (o) => ["run", profile, "--server", k.server.clientUrl, ...k.pasted, "--out", a(o), "--debug"],
      code: 2,
    },
    {
      what: `${k.name}: run, a missing creds file, --debug`,
      args: (o) => [
        "run",
        profile,
        "--server",
        k.server.clientUrl,
        "--creds",
        join(o, "missing.creds"),
        "--out",
        a(o),
        "--debug",
      ],
      code: 2,
    },
    {
      what: `${k.name}: quick, refused`,
      args: (o) => [
        "quick",
        "pub",
        ...wrongServer,
        "--duration",
        "1s",
        "--out",
        a(o),
        "--save-profile",
        join(o, "q.yaml"),
      ],
      code: 3,
    },
    {
      what: `${k.name}: baseline record, refused`,
      args: (o) => [
        "baseline",
        "record",
        profile,
        ...wrongServer,
        "--out",
        join(o, "b.json"),
        "--artifacts",
        a(o),
      ],
      code: 3,
    },
    {
      what: `${k.name}: compare, the baseline's server with its credentials redacted, refused`,
      eachKind: true,
      args: (o) => ["compare", baselineFile, ...fast, "--out", a(o), "--debug"],
      env: k.env,
      code: 3,
    },
    {
      what: `${k.name}: ab, refused`,
      args: (o) => [
        "ab",
        profile,
        "--a",
        k.url,
        "--b",
        k.url,
        ...(k.url === k.server.clientUrl ? k.flags : []),
        "--rounds",
        "5",
        "--metric",
        "throughput.publishedPerSec",
        "--out",
        a(o),
      ],
      code: 3,
    },
    {
      what: `${k.name}: capacity, refused`,
      args: (o) => ["capacity", profile, "--server", k.server.clientUrl, ...fast, "--out", a(o)],
      env: k.env,
      code: 3,
    },
    {
      what: `${k.name}: services, refused, --debug`,
      eachKind: true,
      args: () => ["services", ...wrongServer, "--debug"],
      code: 3,
    },
    {
      what: `${k.name}: services, unreachable`,
      args: () => ["services", ...unreachableServer, "--json"],
      code: 3,
    },
    {
      what: `${k.name}: agents, the control server refuses`,
      eachKind: true,
      args: () => ["agents", "--control", k.server.clientUrl, ...k.control, "--debug"],
      code: 3,
    },
    {
      what: `${k.name}: agent, the control server refuses; its own credentials from NATS_*`,
      args: () => ["agent", "--control", k.server.clientUrl, ...k.control],
      env: k.env,
      code: 3,
    },
  ];
}

describe("no secret reaches any output", () => {
  it("on every connecting command's error paths, for each kind of secret", async () => {
    const all = auth.kinds.map(connectingCases);
    // Each kind-independent case with one kind, turn about, to keep the whole under two minutes.
    const rotated = all[0]!
      .filter((c) => !c.eachKind)
      .map((_, j) => all[j % all.length]!.filter((c) => !c.eachKind)[j]!);
    await runCases(
      root.path,
      [...all.flatMap((cs) => cs.filter((c) => c.eachKind)), ...rotated],
      auth.secrets,
    );
  }, 150_000);

  it("on the commands that do not connect, with every secret in the environment and the inputs", async () => {
    const env: NodeJS.ProcessEnv = { NATS_TOKEN: TOKEN, NATS_USER: "bench", NATS_PASSWORD: PASSWORD };
    const { credsFile, credsText, kinds } = auth;
    await runCases(
      root.path,
      [
        { what: "report of a creds file", args: () => ["report", credsFile, "--debug"], env, code: 2 },
        {
          what: "report of a file holding a token",
          args: () => ["report", join(inputs, "token.json")],
          code: 2,
        },
        {
          what: "compare against a token file",
          args: () => ["compare", join(inputs, "token.json")],
          code: 2,
        },
        { what: "baseline show of a creds file", args: () => ["baseline", "show", credsFile], code: 2 },
        { what: "run of a creds file as a profile", args: () => ["run", credsFile, "--debug"], code: 2 },
        {
          what: "run of a JSON profile that is a token",
          args: () => ["run", join(inputs, "token.json")],
          code: 2,
        },
        { what: "slo of a creds file", args: () => ["slo", credsFile], env, code: 2 },
        {
          what: "a context holding a token, an unreachable server",
          args: (o) => [
            "run",
            profile,
            "--context",
            join(inputs, "ctx.json"),
            "--out",
            join(o, "a"),
            "--debug",
          ],
          code: 3,
        },
        {
          what: "a context file that is a token",
          args: () => ["services", "--context", join(inputs, "token.json")],
          code: 2,
        },
        {
          what: "creds file text where its path goes",
          args: (o) => [
            "run",
            profile,
            `--creds=${credsText}`,
            "--server",
            kinds[3]!.server.clientUrl,
            "--out",
            o,
          ],
          code: 2,
        },
        {
          what: "a run that works, the token in the URL: its results keep none",
          args: (o) => [
            "quick",
            "pub",
            "--server",
            `nats://${TOKEN}@${hostOf(kinds[0]!.server)}`,
            "--rate",
            "200",
            "--warmup",
            "0s",
            "--duration",
            "1s",
            "--json",
            "--out",
            join(o, "a"),
            "--save-profile",
            join(o, "p.yaml"),
          ],
          code: 0,
        },
        {
          what: "a flag a command does not take",
          args: () => ["report", credsFile, "--token", TOKEN],
          code: 2,
        },
        { what: "server status of no server", args: (o) => ["server", "status", "--dir", o], env, code: 3 },
        {
          what: "server start, bad flag",
          args: (o) => ["server", "start", "--dir", o, "--cluster", "9"],
          env,
          code: 2,
        },
        { what: "server stop of no server", args: (o) => ["server", "stop", "--dir", o], env, code: 0 },
        {
          what: "server run, the command fails",
          args: (o) => ["server", "run", "--dir", o, "--", process.execPath, "-e", "process.exit(4)"],
          env,
          code: 4,
        },
        {
          what: "a repeated --token",
          args: () => ["services", "--token", TOKEN, "--token", TOKEN_WRONG],
          code: 2,
        },
      ],
      [...auth.secrets, SHORT_TOKEN],
    );
  }, 120_000);
});
