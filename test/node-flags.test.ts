import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI_NODE_FLAGS } from "../src/node-flags.js";
import { cliPath } from "./helpers/cli.js";

describe("the CLI's Node flags", () => {
  it("the shebang passes the flags the scripts pass", () => {
    const shebang = readFileSync(new URL("../src/cli.ts", import.meta.url), "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(" ")}`);
    expect(CLI_NODE_FLAGS).toContain("--no-memory-reducer");
  });

  it("the built CLI runs as a program, its shebang's flags taken by node", () => {
    const r = spawnSync(cliPath, ["--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
