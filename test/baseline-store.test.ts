import { describe, expect, it } from "vitest";
import { profileHash } from "../src/baseline/format.js";
import { parseBaseline } from "../src/baseline/store.js";
import { parseProfileText } from "../src/profile/loader.js";

const valid = {
  schema: "benchline/baseline@1",
  benchline: "0.1.0",
  createdAt: "2026-11-01T00:00:00.000Z",
  profile: { name: "smoke", publishers: [] },
  profileHash: "abc",
  env: { cpus: 2, clusterSize: 1 },
  runs: [],
};

describe("baseline files", () => {
  it("reads a valid one", () => {
    expect(parseBaseline(JSON.stringify(valid), "b.json").profile.name).toBe("smoke");
  });

  it.each([
    [
      "not JSON",
      "hello",
      /^b\.json is not JSON \(.*\); a baseline is the file `benchline baseline record` writes$/,
    ],
    [
      "truncated",
      JSON.stringify(valid).slice(0, 80),
      /^b\.json is truncated \(the JSON ends early\); record the baseline again$/,
    ],
    [
      "another schema id",
      JSON.stringify({ ...valid, schema: "benchline/run@1" }),
      /^b\.json holds benchline\/run@1, not a baseline \(benchline\/baseline@1\)$/,
    ],
    ["not benchline's", JSON.stringify({ hello: 1 }), /^b\.json is not a benchline baseline/],
    [
      "written by a newer version",
      JSON.stringify({ ...valid, schema: "benchline/baseline@2" }),
      /^b\.json was written by a newer benchline \(benchline\/baseline@2\); upgrade benchline to read it$/,
    ],
    [
      "missing runs",
      JSON.stringify({ ...valid, runs: undefined }),
      /^b\.json is not a valid baseline: runs: /,
    ],
  ])("refuses a file that is %s", (_what, text, message) => {
    expect(() => parseBaseline(text, "b.json")).toThrow(message);
  });
});

describe("profile hash", () => {
  const load = (text: string) => parseProfileText(text, "p.yaml", { T: "x" }).profile;
  const base = "publishers: [{subject: a, rate: 100}]\n";

  it("ignores where and as whom the load runs, not what it is", () => {
    const h = profileHash(load(base));
    expect(
      profileHash(load(`${base}servers: nats://elsewhere:4222\nauth: {token: "\${T}"}\nname: other\n`)),
    ).toBe(h);
    expect(profileHash(load(base.replace("100", "200")))).not.toBe(h);
    expect(profileHash(load(`${base}duration: 20s\n`))).not.toBe(h);
  });
});
