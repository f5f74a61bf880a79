/**
 * Credentials in server URLs (nats://TOKEN@host, nats://USER:PASSWORD@host) log in as the flags would,
 * and never survive into a stored profile or a printed line; the redaction every error line passes.
 */
import { describe, expect, it } from "vitest";
import { applyConnection, connectionFromArgs } from "../src/commands/connection-options.js";
import { controlSpec } from "../src/commands/control-options.js";
import { parseProfileText } from "../src/profile/loader.js";
import { givenSecrets, looksLikeSecret, redactText, redactUrl } from "../src/profile/redact.js";
import { splitUrlCredentials } from "../src/profile/url-credentials.js";
import { jsonFailure } from "../src/util/json-failure.js";

const minimal = "name: c\npublishers: [{mode: core, subject: a}]\n";
const SEED = "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4";
const JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJBQkMifQ.c2lnbmF0dXJl";

describe("credentials in server URLs", () => {
  it("come out of the URLs as a token, or a user and password, percent-decoded", () => {
    expect(splitUrlCredentials(["nats://tok@a:4222", "nats://tok@b:4222"], "x")).toEqual({
      servers: ["nats://a:4222", "nats://b:4222"],
      credentials: { token: "tok" },
    });
    expect(splitUrlCredentials(["tls://me:p%40ss@a:4222", "tls://b:4222"], "x")).toEqual({
      servers: ["tls://a:4222", "tls://b:4222"],
      credentials: { user: "me", password: "p@ss" },
    });
    // A baseline's stored URL: the marker goes, the credentials come again from flags or NATS_*.
    expect(splitUrlCredentials(["nats://[redacted]@a:4222", "b:4222"], "x")).toEqual({
      servers: ["nats://a:4222", "b:4222"],
    });
    expect(() => splitUrlCredentials(["nats://:pw@a:4222"], "server URL")).toThrow(
      "server URL: nats://[redacted]@a:4222 has a password and no user",
    );
  });

  it("log in as flags would, are stored redacted, and meet no other credential", () => {
    const loaded = parseProfileText(minimal, "/p/c.yaml", {});
    const r = applyConnection(loaded, { server: ["nats://me:pw-1@a:4222"] }, {});
    expect(r.profile.servers).toEqual(["nats://a:4222"]);
    expect(r.profile.auth).toEqual({ user: "me", password: "pw-1" });
    expect(r.stored.servers).toEqual(["nats://[redacted]@a:4222"]);
    expect(r.stored.auth).toEqual({ user: "me", password: "[redacted]" });
    expect(JSON.stringify(r.stored)).not.toContain("pw-1");
    const fromEnv = applyConnection(loaded, {}, { NATS_URL: "nats://tok-9@a:4222" });
    expect(fromEnv.profile.auth).toEqual({ token: "tok-9" });
    expect(() => applyConnection(loaded, { server: ["nats://tok@a:4222"] }, { NATS_TOKEN: "t" })).toThrow(
      "the server URL carries credentials, and so does --token (a flag, NATS_* or --context): give them one way",
    );
    const inProfile = parseProfileText(`${minimal}servers: ["nats://u:pw-2@h:4222"]\n`, "/p/c.yaml", {});
    const p = applyConnection(inProfile, {}, {});
    expect(p.profile.servers).toEqual(["nats://h:4222"]);
    expect(p.profile.auth).toEqual({ user: "u", password: "pw-2" });
    expect(JSON.stringify(p.stored)).not.toContain("pw-2");
    const both = parseProfileText(
      `${minimal}servers: ["nats://tok@h:4222"]\nauth: {token: t2}\n`,
      "/p/c.yaml",
      {},
    );
    expect(() => applyConnection(both, {}, {})).toThrow(
      "/p/c.yaml: a URL in servers carries credentials, and so does auth: give them one way",
    );
  });

  it("serve a command without a profile (services) through the same path", () => {
    expect(connectionFromArgs({ server: ["nats://tok@a:4222"] }, {})).toMatchObject({
      servers: ["nats://a:4222"],
      spec: { auth: { token: "tok" }, connection: { name: "benchline", connectTimeoutMs: 5000 } },
    });
    expect(connectionFromArgs({}, { NATS_URL: "nats://a:4222", NATS_TOKEN: "t" })).toMatchObject({
      servers: ["nats://a:4222"],
      spec: { auth: { token: "t" } },
    });
    expect(connectionFromArgs({}, {}).servers).toEqual([]);
  });

  it("work for the control server too", () => {
    expect(controlSpec({ control: "nats://ctl:pw@c:4222", controlPrefix: "p" }, {})).toMatchObject({
      url: "nats://c:4222",
      auth: { user: "ctl", password: "pw" },
    });
    expect(() =>
      controlSpec({ control: "nats://t@c:4222", controlPrefix: "p" }, { BENCHLINE_CONTROL_TOKEN: "x" }),
    ).toThrow("the --control URL carries credentials, and so do --control-* flags");
  });

  it("a seed or JWT where a file's path goes is refused without quoting it", () => {
    const loaded = parseProfileText(minimal, "/p/c.yaml", {});
    for (const args of [{ nkey: SEED }, { creds: JWT }, { creds: `-----BEGIN NATS USER JWT-----\n${JWT}` }]) {
      let err = "";
      try {
        applyConnection(loaded, args, {});
      } catch (e) {
        err = (e as Error).message;
      }
      expect(err).toMatch(/^flags: the (nkey|creds) value is a secret itself, not the path of a file/);
      expect(err).not.toContain(SEED);
      expect(err).not.toContain("eyJ");
    }
    expect(looksLikeSecret("/home/me/.nkeys/user.nk")).toBe(false);
  });
});

describe("redaction of printed text", () => {
  it("takes user info out of any URL, seeds, JWTs and the secrets given", () => {
    expect(redactUrl("me:pw@host:4222")).toBe("[redacted]@host:4222");
    expect(
      redactText(
        `cannot connect to nats://a:b@h:1, tls://tok@h:2 with ${SEED} or ${JWT}; my-token-1 refused`,
        ["my-token-1"],
      ),
    ).toBe(
      "cannot connect to nats://[redacted]@h:1, tls://[redacted]@h:2 with [redacted] or [redacted]; [redacted] refused",
    );
  });

  it("quotes nothing of a text JSON.parse refused: V8's excerpt may be a token", () => {
    const failure = (text: string) => {
      try {
        JSON.parse(text);
      } catch (err) {
        return jsonFailure(err);
      }
      return "parsed";
    };
    expect(failure("k9S3cr3t\n")).toBe("Unexpected token 'k'");
    expect(failure('{"token": "k9S3cr3t"} x')).toBe(
      "Unexpected non-whitespace character after JSON at position 22",
    );
  });

  it("knows the secrets of the flags, the environment and URLs", () => {
    expect(
      givenSecrets(
        ["run", "p.yaml", "--token", "t-1", "--password=p-2", "--server", "nats://u:p-3@h,nats://t-4@i"],
        { NATS_PASSWORD: "p-5", BENCHLINE_CONTROL_TOKEN: "t-6", NATS_URL: "nats://t-7@h" },
      ).sort(),
    ).toEqual(["p-2", "p-3", "p-5", "t-1", "t-4", "t-6", "t-7"]);
  });
});
