/**
 * Bad input to the workloads: each is one line naming the file and key, exit 2, nothing run. And the
 * pure parts: templates, key spaces, mixes.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMix } from "../src/commands/quick.js";
import { parseProfileText } from "../src/profile/loader.js";
import { compileTemplate } from "../src/profile/template.js";
import { keySpace } from "../workers/keys.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const KV = (extra: string) =>
  `name: kv\nkv:\n  bucket: {name: B}\n  keys: {count: 10}\n  clients:\n    - {rate: 100, mix: {get: 90, put: 10}}\n${extra}`;

const fails = (text: string, file = "p.yaml") => {
  try {
    parseProfileText(text, file, {});
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the profile to be refused");
};

describe("workload profiles: bad input", () => {
  it("refuses with one line and exit 2, naming file and key", async () => {
    await using dir = await tempDir();
    const cases: Array<[string, string, RegExp]> = [
      [
        "mix.yaml",
        KV("").replace("put: 10", "put: 5"),
        /^error: .*mix\.yaml: kv\.clients\[0\]\.mix: the percentages add up to 95, not 100 \(get 90, put 5, update 0, delete 0\)$/,
      ],
      [
        "keys.yaml",
        KV("").replace("count: 10", "count: 0"),
        /^error: .*keys\.yaml: kv\.keys\.count: 0 keys: give from 1 to 10000000$/,
      ],
      [
        "file.yaml",
        "publishers: [{subject: a, payload: {file: nowhere.json}}]\n",
        /^error: .*file\.yaml: publishers\[0\]\.payload\.file: nowhere\.json does not exist$/,
      ],
      [
        "field.yaml",
        "publishers: [{subject: a, payload: {template: '{\"id\": {{sequence}}}'}}]\n",
        /^error: .*field\.yaml: publishers\[0\]\.payload\.template: \{\{sequence\}\}: no such field "sequence"; fields: \{\{seq\}\} /,
      ],
    ];
    for (const [name, text, expected] of cases) {
      const file = join(dir.path, name);
      await writeFile(file, text);
      const cli = await runCli(["run", file, "--out", join(dir.path, "art")]);
      expect(cli.code, name).toBe(2);
      expect(expectOneLineError(cli)).toMatch(expected);
    }
    const quick = await runCli(["quick", "kv", "--mix", "get=80,put=30", "--out", join(dir.path, "art")]);
    expect(quick.code).toBe(2);
    expect(expectOneLineError(quick)).toMatch(
      /kv\.clients\[0\]\.mix: the percentages add up to 110, not 100/,
    );
  });

  it("names the header template, the direct get without a stream, and a tiny KV value", () => {
    expect(fails("publishers: [{subject: a, headers: {X: '{{nope}}'}}]\n")).toMatch(
      /^p\.yaml: publishers\[0\]\.headers\.X: \{\{nope\}\}: no such field "nope"/,
    );
    expect(fails("direct: {clients: [{rate: 10}]}\n")).toBe(
      "p.yaml: direct: direct gets read a stream: add a stream section",
    );
    expect(fails(KV("").replace("keys: {count: 10}", "keys: {count: 10}\n  valueSize: 8"))).toBe(
      "p.yaml: kv.valueSize: 8 bytes is too small; values carry their 16-byte write time for watch latency",
    );
    expect(fails("kv: {bucket: {name: B}, keys: {count: 5}, clients: [{mix: {get: 100}, rat: 5}]}\n")).toBe(
      "p.yaml: unknown key kv.clients[0].rat; remove it or check the spelling",
    );
  });

  it("a consume-only profile never purges the stream it drains", () => {
    const p = parseProfileText(
      "stream: {name: S, subjects: [s.>]}\nconsumers: [{kind: pull, deliver: all}]\n",
      "d.yaml",
      {},
    ).profile;
    expect(p.publishers).toEqual([]);
    expect(p.stream!.purge).toBe(false);
  });
});

describe("templates, key spaces, mixes", () => {
  it("renders every field", () => {
    const t = compileTemplate("{{seq}}|{{publisher}}|{{int:3:3}}|{{choice:x}}|{{hex:4}}|{{uuid}}|{{unixMs}}");
    const [seq, pub, int, choice, hex, uuid, ms] = t.render({ seq: 7, publisher: 2 }).split("|");
    expect([seq, pub, int, choice]).toEqual(["7", "2", "3", "x"]);
    expect(hex).toMatch(/^[0-9a-f]{4}$/);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Number(ms) - Date.now())).toBeLessThan(5000);
    expect(compileTemplate("plain").varies).toBe(false);
  });

  it("zipf keys are skewed toward the first, uniform keys are not", () => {
    const count = (space: ReturnType<typeof keySpace>) => {
      const hits = new Array(100).fill(0);
      for (let i = 0; i < 100_000; i++) hits[space.pick()]++;
      return hits as number[];
    };
    const zipf = count(keySpace(100, "zipf", 1.1));
    const uniform = count(keySpace(100, "uniform", 1.1));
    expect(zipf.every((n, i) => i === 0 || n <= zipf[0]!)).toBe(true);
    // Under s = 1.1 over 100 keys the hottest key takes about a fifth; under uniform, about 1%.
    expect(zipf[0]! / 100_000).toBeGreaterThan(0.12);
    expect(Math.max(...uniform) / 100_000).toBeLessThan(0.02);
    expect(zipf.reduce((a, b) => a + b, 0)).toBe(100_000);
  });

  it("reads a mix flag", () => {
    expect(parseMix("get=80,put:20", ["get", "put"])).toEqual({ get: 80, put: 20 });
    expect(() => parseMix("read=1", ["get", "put"])).toThrow("--mix read=1: write OP=PERCENT pairs");
  });
});
