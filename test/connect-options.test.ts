import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyConnection, serverList } from "../src/commands/connection-options.js";
import { connectOptions } from "../src/engine/connect-options.js";
import { CONNECTION_DEFAULTS } from "../src/profile/connection.js";
import { parseProfileText } from "../src/profile/loader.js";
import { makeNkeyUser } from "./helpers/credentials.js";
import { tempDir } from "./helpers/tmp.js";

const minimal = "name: c\npublishers: [{mode: core, subject: a}]\n";

describe("connect options", () => {
  it("map the connection settings to nats.js names", async () => {
    const o = await connectOptions(
      {
        auth: { user: "u", password: "p" },
        connection: {
          name: "ci",
          connectTimeoutMs: 1500,
          reconnectAttempts: -1,
          reconnectWaitMs: 250,
          reconnectJitterMs: 50,
        },
      },
      "t0-c1",
    );
    expect(o).toMatchObject({
      name: "ci-t0-c1",
      timeout: 1500,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 50,
      user: "u",
      pass: "p",
    });
    expect(o.tls).toBeUndefined();
  });

  it("turns certificate checks off only when asked, and checks the files exist first", async () => {
    await using dir = await tempDir();
    const ca = join(dir.path, "ca.pem");
    await writeFile(ca, "-----BEGIN CERTIFICATE-----\n");
    const connection = CONNECTION_DEFAULTS;
    expect((await connectOptions({ tls: { caFile: ca, insecure: false }, connection }, "x")).tls).toEqual({
      caFile: ca,
    });
    expect((await connectOptions({ tls: { insecure: true }, connection }, "x")).tls).toEqual({
      rejectUnauthorized: false,
    });
    await expect(
      connectOptions({ tls: { caFile: join(dir.path, "no.pem"), insecure: false }, connection }, "x"),
    ).rejects.toThrow(`cannot read the TLS CA file ${join(dir.path, "no.pem")}: no such file`);
  });

  it("reads an nkey seed and a creds file, and never quotes them when they are wrong", async () => {
    await using dir = await tempDir();
    const user = await makeNkeyUser(dir.path);
    const o = await connectOptions(
      { auth: { nkeyFile: user.seedFile }, connection: CONNECTION_DEFAULTS },
      "x",
    );
    expect(typeof o.authenticator).toBe("function");
    const bad = join(dir.path, "bad.nk");
    await writeFile(bad, "SUPER-secret-but-not-a-seed\n");
    const err = await connectOptions({ auth: { nkeyFile: bad }, connection: CONNECTION_DEFAULTS }, "x").catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toBe(
      `${bad} holds no nkey user seed (a line starting with SU); generate one with nk -gen user`,
    );
    const notCreds = join(dir.path, "x.creds");
    await writeFile(notCreds, "hunter2\n");
    const err2 = await connectOptions(
      { auth: { credsFile: notCreds }, connection: CONNECTION_DEFAULTS },
      "x",
    ).catch((e: Error) => e);
    expect((err2 as Error).message).toMatch(/is not a creds file/);
    expect((err2 as Error).message).not.toContain("hunter2");
  });
});

describe("connection flags and environment", () => {
  const loaded = () =>
    parseProfileText(
      `${minimal}servers: nats://profile:4222\nauth: {token: "\${T}"}\nconnection: {name: fromprofile}\n`,
      "/p/c.yaml",
      {
        T: "profile-token",
      },
    );

  it("flags override the environment, which overrides the profile; the stored form is redacted", () => {
    const fromEnv = applyConnection(loaded(), {}, { NATS_TOKEN: "env-token", NATS_URL: "nats://env:4222" });
    expect(fromEnv.profile.auth).toEqual({ token: "env-token" });
    expect(fromEnv.profile.servers).toEqual(["nats://env:4222"]);
    expect(fromEnv.stored.auth).toEqual({ token: "[redacted]" });
    const fromFlags = applyConnection(
      loaded(),
      { token: "flag-token", server: ["nats://a:1,nats://b:2"], connectionName: "flagged" },
      { NATS_TOKEN: "env-token", NATS_URL: "nats://env:4222" },
    );
    expect(fromFlags.profile.auth).toEqual({ token: "flag-token" });
    expect(fromFlags.profile.servers).toEqual(["nats://a:1", "nats://b:2"]);
    expect(fromFlags.profile.connection.name).toBe("flagged");
    expect(JSON.stringify(fromFlags.stored)).not.toMatch(/flag-token|env-token|profile-token/);
    // Nothing given: the profile's own, stored as its ${ENV} reference.
    const plain = applyConnection(loaded(), {}, {});
    expect(plain.profile.auth).toEqual({ token: "profile-token" });
    expect(plain.stored.auth).toEqual({ token: "${T}" });
  });

  it("a credential flag replaces the profile's credential whole; key paths resolve from the working dir", () => {
    const r = applyConnection(loaded(), { creds: "keys/u.creds", tlsInsecure: true }, {});
    expect(r.profile.auth).toEqual({ credsFile: join(process.cwd(), "keys/u.creds") });
    expect(r.profile.tls).toEqual({ insecure: true });
    expect(() => applyConnection(loaded(), { token: "a", user: "b", password: "c" }, {})).toThrow(
      "flags: use one way to authenticate, not token and user/password",
    );
    expect(() => applyConnection(loaded(), { tlsCert: "c.pem" }, {})).toThrow(
      "--tls-cert and --tls-key go together",
    );
    expect(() => applyConnection(loaded(), { reconnectAttempts: 1.5 }, {})).toThrow(
      "--reconnect-attempts must be a whole number",
    );
  });

  it("splits server lists", () => {
    expect(serverList(["a,b", " c "])).toEqual(["a", "b", "c"]);
    expect(serverList(undefined)).toBeUndefined();
    expect(serverList("")).toBeUndefined();
  });
});
