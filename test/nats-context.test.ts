/** `--context NAME`: a nats CLI context's url and credentials, below flags and NATS_*, above the profile. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyConnection } from "../src/commands/connection-options.js";
import { parseProfileText } from "../src/profile/loader.js";
import { natsContextFile, readNatsContext } from "../src/profile/nats-context.js";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { writeProfile } from "./helpers/profiles.js";
import { expectNoSecrets } from "./helpers/secrets.js";
import { tempDir } from "./helpers/tmp.js";

/** Saves a context as `nats context save` would, under XDG_CONFIG_HOME=dir. */
async function saveContext(dir: string, name: string, fields: Record<string, unknown>): Promise<string> {
  const ctxDir = join(dir, "nats", "context");
  await mkdir(ctxDir, { recursive: true });
  const file = join(ctxDir, `${name}.json`);
  await writeFile(file, JSON.stringify({ description: "", url: "", token: "", user: "", ...fields }));
  return file;
}

const profile = () =>
  parseProfileText(
    "name: p\npublishers: [{mode: core, subject: x, rate: 10}]\nservers: nats://profile:4222\nauth: {token: from-profile}\n",
    "/p/p.yaml",
    {},
  );

describe("nats contexts", () => {
  it("finds NAME.json under XDG_CONFIG_HOME, else ~/.config, or takes a path", () => {
    expect(natsContextFile("staging", { XDG_CONFIG_HOME: "/x/cfg", HOME: "/home/u" })).toBe(
      "/x/cfg/nats/context/staging.json",
    );
    expect(natsContextFile("staging", { HOME: "/home/u" })).toBe("/home/u/.config/nats/context/staging.json");
    expect(natsContextFile("/etc/ctx/ci.json", {})).toBe("/etc/ctx/ci.json");
    expect(() => natsContextFile(".hidden", {})).toThrow(/a context name has no dots in front/);
  });

  it("reads url, credentials and TLS files (~ is the home dir); refuses what it cannot honour, by name", async () => {
    await using dir = await tempDir();
    const env = { XDG_CONFIG_HOME: dir.path, HOME: "/home/u" };
    await saveContext(dir.path, "full", {
      url: "nats://a:4222,nats://b:4222",
      creds: "~/keys/ci.creds",
      ca: "/etc/ca.pem",
      jetstream_domain: "",
      color_scheme: "dark",
    });
    expect(readNatsContext("full", env)).toEqual({
      name: "full",
      file: join(dir.path, "nats/context/full.json"),
      url: "nats://a:4222,nats://b:4222",
      flags: { creds: "/home/u/keys/ci.creds", tlsCa: "/etc/ca.pem" },
    });
    await saveContext(dir.path, "domain", { url: "nats://a:4222", jetstream_domain: "hub" });
    expect(() => readNatsContext("domain", env)).toThrow(
      "--context domain: it uses a JetStream domain (jetstream_domain), which benchline does not support",
    );
    expect(() => readNatsContext("absent", env)).toThrow(
      `--context absent: cannot read ${join(dir.path, "nats/context/absent.json")} (no such file); list contexts with nats context ls`,
    );
    await writeFile(join(dir.path, "nats/context/broken.json"), "{url:");
    expect(() => readNatsContext("broken", env)).toThrow(/broken.json is not valid JSON/);
  });

  it("sits where the environment does: flags > NATS_* > context > profile, credentials never mixed", async () => {
    await using dir = await tempDir();
    await saveContext(dir.path, "ctx", { url: "nats://ctx:4222", token: "from-context", ca: "/ctx/ca.pem" });
    const env = { XDG_CONFIG_HOME: dir.path };
    const ctx = applyConnection(profile(), { context: "ctx" }, env);
    expect(ctx.profile.servers).toEqual(["nats://ctx:4222"]);
    expect(ctx.profile.auth).toEqual({ token: "from-context" });
    expect(ctx.profile.tls?.caFile).toBe("/ctx/ca.pem");
    // Secrets from a context are stored as a flag's are: redacted. The URL is where it ran: kept.
    expect(ctx.stored.auth).toEqual({ token: "[redacted]" });
    expect(ctx.stored.servers).toEqual(["nats://ctx:4222"]);
    expect(JSON.stringify(ctx.stored)).not.toContain("from-context");

    const overEnv = applyConnection(
      profile(),
      { context: "ctx" },
      { ...env, NATS_URL: "nats://env:4222", NATS_USER: "u", NATS_PASSWORD: "p", NATS_CA: "/env/ca.pem" },
    );
    expect(overEnv.profile.servers).toEqual(["nats://env:4222"]);
    expect(overEnv.profile.auth).toEqual({ user: "u", password: "p" });
    expect(overEnv.profile.tls?.caFile).toBe("/env/ca.pem");

    const overFlags = applyConnection(
      profile(),
      { context: "ctx", server: ["nats://flag:4222"], token: "f" },
      env,
    );
    expect(overFlags.profile.servers).toEqual(["nats://flag:4222"]);
    expect(overFlags.profile.auth).toEqual({ token: "f" });

    const none = applyConnection(profile(), {}, env);
    expect(none.profile.servers).toEqual(["nats://profile:4222"]);
    expect(none.profile.auth).toEqual({ token: "from-profile" });
  });

  it("a run with --context connects with the context's url and token, which appears in no output", async () => {
    await using dir = await tempDir();
    const token = "ctx-token-90210-secret";
    await using server = await NatsServer.start({ auth: { token } });
    await saveContext(dir.path, "bench", { url: server.clientUrl, token });
    const p = await writeProfile(
      dir.path,
      "ctx",
      "publishers: [{mode: core, subject: c.x, rate: 500}]\nconsumers: [{kind: core, subject: c.x}]\nwarmup: 200ms\nduration: 1s\ndrain: 500ms\nworkers: 1\n",
    );
    const out = join(dir.path, "artifacts");
    const env = { XDG_CONFIG_HOME: dir.path, NATS_URL: undefined, NATS_TOKEN: undefined };
    const cli = await runCli(["run", p, "--context", "bench", "--json", "--no-charts", "--out", out], {
      env,
    });
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout);
    expect(result.env.embeddedServer).toBe(false);
    expect(result.counts.consumed).toBe(result.counts.published);
    expect(result.profile.auth.token).toBe("[redacted]");
    await expectNoSecrets(cli, [out], [token]);

    const missing = await runCli(["run", p, "--context", "nope"], { env });
    expect(missing.code).toBe(2);
    expect(expectOneLineError(missing)).toContain("--context nope: cannot read");
  });
});
