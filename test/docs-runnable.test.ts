/**
 * The examples in README.md and docs/*.md that a reader would run, run here: a guide whose example
 * stops working fails the build.
 *
 * The convention: a fenced block whose info string is `sh runnable` is run and must exit 0;
 * `sh runnable exit=N` is run and must exit N. The runnable blocks of one file run in order, in one
 * fresh temp dir per file that holds a copy of profiles/ and has `benchline` (the built
 * dist/src/cli.js) first on PATH, as a reader in a checkout would have; each block runs as `sh -e`, so
 * its exit is that of its first failing command. The blocks name no --server: every run is on an
 * embedded nats-server. Keep them cheap (short --duration, few runs): this file runs all of them.
 */
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

/** One fenced block of a Markdown file. */
interface Fence {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  body: string;
}

/** A block this file runs, and the exit it must have. */
interface Runnable extends Fence {
  exit: number;
}

const RUNNABLE = /^sh runnable(?: exit=(\d+))?$/;

function fences(file: string): Fence[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const close = lines.findIndex((l, j) => j > i && l.trim() === open[1]);
    if (close < 0) throw new Error(`${file}:${i + 1}: a code fence that never closes`);
    found.push({ file, line: i + 1, info: open[2]!.trim(), body: lines.slice(i + 1, close).join("\n") });
    i = close;
  }
  return found;
}

const files = ["README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md"))].map((f) =>
  f === "README.md" ? f : join("docs", f),
);
const all = files.flatMap(fences);
const runnable: Runnable[] = all.flatMap((f) => {
  const m = RUNNABLE.exec(f.info);
  return m ? [{ ...f, exit: Number(m[1] ?? 0) }] : [];
});
const byFile = files
  .map((file) => [file, runnable.filter((b) => b.file === file)] as const)
  .filter(([, blocks]) => blocks.length > 0);

/** The environment of a reader with a fresh shell: none of this machine's NATS or CI settings. */
function readerEnv(dir: string, bin: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(NATS_|BENCHLINE_)/.test(k) && k !== "NATS_SERVER_BIN") continue;
    if (k === "GITHUB_STEP_SUMMARY") continue;
    env[k] = v;
  }
  return { ...env, PATH: `${bin}:${process.env.PATH ?? ""}`, XDG_CONFIG_HOME: join(dir, ".config") };
}

function runBlock(
  script: string,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-e", script], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("runnable blocks of the README and the guides", () => {
  it("are marked the one way this file reads, and only on shell blocks", () => {
    const misspelt = all.filter((f) => /runn?able/i.test(f.info) && !RUNNABLE.test(f.info));
    expect(misspelt.map((f) => `${f.file}:${f.line} ${f.info}`)).toEqual([]);
  });

  it("cover the main workflows: run, baseline record, compare, slo, report, history show", () => {
    const commands = runnable.map((b) => b.body).join("\n");
    for (const command of ["run", "baseline record", "compare", "slo", "report", "history show"])
      expect(commands, command).toMatch(new RegExp(`^benchline ${command} `, "m"));
    expect(runnable.length).toBeGreaterThanOrEqual(5);
  });

  describe.skipIf(!existsSync(cliPath))("run against an embedded nats-server", () => {
    // Files are independent (a temp dir each), so they run side by side; blocks of one file in order.
    it.concurrent.each(byFile)("%s", async (file, blocks) => {
      await using tmp = await tempDir("benchline-docs-");
      const dir = tmp.path;
      const bin = join(dir, ".bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "benchline"), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
      chmodSync(join(bin, "benchline"), 0o755);
      cpSync("profiles", join(dir, "profiles"), { recursive: true });
      const env = readerEnv(dir, bin);
      for (const block of blocks) {
        const script = join(dir, `.block-${block.line}.sh`);
        writeFileSync(script, `${block.body}\n`);
        const { code, output } = await runBlock(script, dir, env);
        const where = `${file}:${block.line} (\`\`\`${block.info})\n${block.body}\n--- output:\n${output.slice(-3000)}`;
        expect(code, where).toBe(block.exit);
      }
    });
  });
});
