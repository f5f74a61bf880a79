import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { profileJsonSchema } from "../src/profile/json-schema.js";
import { parseProfileText } from "../src/profile/loader.js";
import { applyOverrides } from "../src/profile/overrides.js";
import { subjectMatches } from "../src/profile/subjects.js";

const minimal = `
name: t
publishers:
  - subject: a.b
    rate: 100
consumers:
  - kind: core
    subject: a.>
`;

const load = (text: string, file = "p.yaml", env: NodeJS.ProcessEnv = {}) =>
  parseProfileText(text, file, env).profile;
const fails = (text: string, file = "p.yaml", env: NodeJS.ProcessEnv = {}) => {
  try {
    parseProfileText(text, file, env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the profile to be refused");
};

describe("profile loader", () => {
  it("fills every default and converts units", () => {
    const p = load(minimal);
    expect(p).toMatchObject({
      name: "t",
      servers: [],
      warmupMs: 1000,
      durationMs: 10_000,
      drainMs: 5000,
      connectionsPerWorker: 1,
    });
    expect(p.publishers[0]).toEqual({
      name: "core-publisher-0",
      count: 1,
      mode: "core",
      subject: "a.b",
      spread: 1,
      ratePerSec: 100,
      maxInFlight: 1000,
      sizeBytes: { min: 128, max: 128 },
      randomPayload: false,
      headers: undefined,
      msgId: false,
      ackTimeoutMs: 5000,
    });
    expect(p.consumers[0]).toMatchObject({
      kind: "core",
      subject: "a.>",
      ackPolicy: "explicit",
      batch: 500,
      deliver: "new",
    });
  });

  it("reads JSON profiles and takes the name from the file", () => {
    const p = load(
      JSON.stringify({ publishers: [{ subject: "x", size: "1KiB" }], duration: "2m" }),
      "dir/my-load.json",
    );
    expect(p.name).toBe("my-load");
    expect(p.durationMs).toBe(120_000);
    expect(p.publishers[0]!.sizeBytes).toEqual({ min: 1024, max: 1024 });
  });

  it("says where malformed YAML is broken", () => {
    expect(fails("publishers:\n  - subject: a\n   rate: [1,\n", "bad.yaml")).toMatch(
      /^bad\.yaml:\d+:\d+: malformed YAML: /,
    );
  });

  it("names an unknown key with its path and the file", () => {
    expect(fails(`${minimal}\n    colour: blue\n`, "prof.yaml")).toBe(
      "prof.yaml: unknown key consumers[0].colour; remove it or check the spelling",
    );
    expect(fails(`${minimal}\nduraton: 5s\n`, "prof.yaml")).toBe(
      "prof.yaml: unknown key duraton; remove it or check the spelling",
    );
  });

  it.each([
    [
      "a wrong type",
      minimal.replace("rate: 100", "rate: fast"),
      'p.yaml: publishers[0].rate: must be a positive number of msgs/s or "max"',
    ],
    [
      "a zero rate",
      minimal.replace("rate: 100", "rate: 0"),
      'p.yaml: publishers[0].rate: must be a positive number of msgs/s or "max"',
    ],
    [
      "a negative rate",
      minimal.replace("rate: 100", "rate: -5"),
      'p.yaml: publishers[0].rate: must be a positive number of msgs/s or "max"',
    ],
    [
      "an absurd rate",
      minimal.replace("rate: 100", "rate: 1e12"),
      "p.yaml: publishers[0].rate: 1000000000000 msgs/s is beyond what one host can generate (at most 10000000)",
    ],
    [
      "a zero size",
      minimal.replace("rate: 100", "rate: 100\n    size: 0"),
      "p.yaml: publishers[0].size: 0 bytes is too small; benchline needs at least 16 (send time and sequence)",
    ],
    [
      "a 100 MB size",
      minimal.replace("rate: 100", "rate: 100\n    size: 100MB"),
      "p.yaml: publishers[0].size: 100000000 bytes is above the 64 MiB NATS allows",
    ],
    ["a zero duration", `${minimal}duration: 0s\n`, "p.yaml: duration: must be above zero (or set messages)"],
    ["10,000 workers", `${minimal}workers: 10000\n`, "p.yaml: workers: Too big: expected number to be <=64"],
    [
      "no publishers",
      "name: x\n",
      "p.yaml: publishers: add at least one publisher (or consumers to drain a stream, kv, objects, direct, or tenants)",
    ],
    ["a list", "- 1\n- 2\n", "p.yaml: a profile is a mapping of keys (name, publishers, ...), not a list"],
    [
      "a JetStream publisher without a stream",
      minimal.replace("rate: 100", "rate: 100\n    mode: jetstream"),
      "p.yaml: publishers[0].mode: jetstream publishers need a stream: add a stream section",
    ],
    [
      "a pull consumer without a stream",
      minimal.replace("kind: core", "kind: pull"),
      "p.yaml: consumers[0].kind: pull consumers read a stream: add a stream section",
    ],
    [
      "a subject outside the stream",
      `stream: {name: S, subjects: ["s.>"]}\npublishers: [{mode: jetstream, subject: other}]\n`,
      "p.yaml: publishers[0].subject: other is not among the stream's subjects s.>",
    ],
    [
      "a bad duration",
      `${minimal}warmup: soon\n`,
      'p.yaml: warmup: "soon" is not a duration; use e.g. "500ms", "30s", "2m"',
    ],
  ])("refuses %s with one line", (_what, text, message) => {
    expect(fails(text)).toBe(message);
  });

  it("substitutes ${ENV} and keeps only the reference in the stored form", () => {
    const text = `${minimal}servers: "nats://\${NATS_HOST}:4222"\nauth:\n  token: "\${BENCH_TOKEN}"\n`;
    const loaded = parseProfileText(text, "p.yaml", { NATS_HOST: "10.1.2.3", BENCH_TOKEN: "tok-XYZ" });
    expect(loaded.profile.servers).toEqual(["nats://10.1.2.3:4222"]);
    expect(loaded.profile.auth).toEqual({ token: "tok-XYZ" });
    expect(loaded.stored.auth).toEqual({ token: "${BENCH_TOKEN}" });
    expect(loaded.stored.servers).toEqual(["nats://${NATS_HOST}:4222"]);
    const inline = parseProfileText(`${minimal}auth:\n  user: bob\n  password: hunter2\n`, "p.yaml", {});
    expect(inline.profile.auth).toEqual({ user: "bob", password: "hunter2" });
    expect(inline.stored.auth).toEqual({ user: "bob", password: "[redacted]" });
    expect(JSON.stringify([loaded.stored, inline.stored])).not.toMatch(/tok-XYZ|hunter2/);
  });

  it("takes one way to authenticate, resolves key files beside the profile, and defaults the connection", () => {
    expect(fails(`${minimal}auth: {token: a, user: b, password: c}\n`)).toBe(
      "p.yaml: auth: use one way to authenticate, not token and user/password",
    );
    expect(fails(`${minimal}auth: {password: c}\n`)).toBe("p.yaml: auth: a password needs a user");
    expect(fails(`${minimal}auth: {user: a}\n`)).toBe(
      "p.yaml: auth: a user needs a password (--password or NATS_PASSWORD); a token goes in --token",
    );
    expect(fails(`${minimal}tls: {cert: c.pem}\n`)).toBe("p.yaml: tls: mutual TLS needs both cert and key");
    const loaded = parseProfileText(
      `${minimal}auth: {creds: keys/u.creds}\ntls: {ca: ca.pem}\nconnection: {name: ci, reconnect: {attempts: -1}}\n`,
      "/etc/bench/p.yaml",
      {},
    ).profile;
    expect(loaded.auth).toEqual({ credsFile: "/etc/bench/keys/u.creds" });
    expect(loaded.tls).toEqual({ caFile: "/etc/bench/ca.pem", insecure: false });
    expect(loaded.connection).toEqual({
      name: "ci",
      connectTimeoutMs: 5000,
      reconnectAttempts: -1,
      reconnectWaitMs: 500,
      reconnectJitterMs: 100,
    });
  });

  it("redacts credentials inside server URLs", () => {
    const loaded = parseProfileText(`${minimal}servers: ["nats://me:pw@host:4222"]\n`, "p.yaml", {});
    expect(loaded.stored.servers).toEqual(["nats://[redacted]@host:4222"]);
  });

  it("refuses a reference to an unset variable, and takes a default", () => {
    expect(fails(`${minimal}servers: "\${NOPE}"\n`)).toBe(
      "p.yaml: servers: ${NOPE} is not set in the environment; export NOPE or remove the reference",
    );
    expect(load(`${minimal}servers: "\${NOPE:-nats://localhost:1}"\n`).servers).toEqual([
      "nats://localhost:1",
    ]);
  });

  it("every shipped profile loads", async () => {
    for (const name of [
      "smoke",
      "core-pubsub",
      "core-request",
      "js-publish",
      "js-e2e",
      "js-r3",
      "kv-mix",
      "objects",
      "drain",
    ]) {
      const text = await readFile(new URL(`../profiles/${name}.yaml`, import.meta.url), "utf8");
      expect(text.split("\n")[0]).toMatch(new RegExp(`^# ${name}: .+\\?`));
      expect(load(text, `${name}.yaml`).name).toBe(name);
    }
  });

  it("ships the JSON Schema generated from the loader's schema", async () => {
    const shipped = await readFile(new URL("../profiles/profile.schema.json", import.meta.url), "utf8");
    expect(shipped).toBe(profileJsonSchema());
    expect(JSON.parse(shipped).additionalProperties).toBe(false);
  });
});

describe("overrides", () => {
  it("scales fixed rates to the new total and keeps the mix", () => {
    const p = load(`publishers:\n  - {subject: a, rate: 100}\n  - {subject: b, rate: 300}\n`);
    const o = applyOverrides(p, { rate: 1000, duration: "3s", workers: 3 });
    expect(o.publishers.map((x) => x.ratePerSec)).toEqual([250, 750]);
    expect([o.durationMs, o.workers]).toEqual([3000, 3]);
    expect(p.publishers[0]!.ratePerSec).toBe(100);
  });

  it("refuses absurd overrides", () => {
    const p = load(minimal);
    expect(() => applyOverrides(p, { rate: 1e12 })).toThrow(
      "--rate must be above 0 and at most 10000000 msgs/s, not 1000000000000",
    );
    expect(() => applyOverrides(p, { workers: 10_000 })).toThrow(
      "--workers must be a whole number from 1 to 64, not 10000",
    );
    expect(() => applyOverrides(p, { duration: "0s" })).toThrow("--duration must be above zero");
  });
});

describe("subjects", () => {
  it.each([
    ["a.>", "a.b.c", true],
    ["a.>", "a", false],
    ["a.*", "a.b", true],
    ["a.*", "a.b.c", false],
    ["a.b", "a.b", true],
    ["a.b", "a.c", false],
    [">", "x", true],
  ])("%s matches %s: %s", (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });
});
