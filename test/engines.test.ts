/**
 * The README and package.json promise Node 20.19: every package `npm ci` installs must say it runs there, or npm warns
 * EBADENGINE on every install. And the nats.js packages are pinned exactly (issue 22).
 */
import { readFileSync } from "node:fs";
import { satisfies, validRange } from "semver";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const readJson = (file: string) => JSON.parse(readFileSync(new URL(file, root), "utf8"));
const NODE = "20.19.0";

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

describe("the Node version the README and package.json promise", () => {
  it("every installed package's engines.node admits Node 20.19", () => {
    const lock = readJson("package-lock.json") as { packages: Record<string, LockEntry> };
    const ranges = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return node ? [{ name: path || "benchline", version: entry.version, node }] : [];
    });
    expect(ranges.length).toBeGreaterThan(20);
    const refusing = ranges
      .filter((r) => !validRange(r.node) || !satisfies(NODE, r.node))
      .map((r) => `${r.name}@${r.version} wants node ${r.node}`);
    expect(refusing).toEqual([]);
  });

  it("benchline itself asks for that Node, no more", () => {
    expect(readJson("package.json").engines.node).toBe(">=20.19");
  });

  it("the nats.js packages are pinned to exact versions", () => {
    const pkg = readJson("package.json");
    const nats = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([name]) =>
      name.startsWith("@nats-io/"),
    );
    expect(nats.length).toBeGreaterThan(5);
    for (const [name, range] of nats) expect(`${name}@${range}`).toMatch(/@\d+\.\d+\.\d+(-[\w.]+)?$/);
  });
});
