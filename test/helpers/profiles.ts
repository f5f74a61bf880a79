import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunResult } from "../../src/contract/result.js";
import { type CliResult, runCli } from "./cli.js";

export async function writeProfile(dir: string, name: string, yaml: string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, `name: ${name}\n${yaml}`);
  return path;
}

/** Runs a profile with --json into dir; returns the parsed result and the raw CLI outcome. */
export async function runJson(
  profile: string,
  dir: string,
  extra: string[] = [],
): Promise<{ result: RunResult; cli: CliResult }> {
  // No charts unless asked for: drawing them is most of a second per run, and these tests read the JSON.
  const charts = extra.some((a) => a === "--charts" || a === "--no-charts") ? [] : ["--no-charts"];
  const cli = await runCli(["run", profile, "--json", "--out", join(dir, "artifacts"), ...charts, ...extra], {
    cwd: dir,
  });
  if (cli.code !== 0) throw new Error(`benchline run exited ${cli.code}: ${cli.stderr}`);
  return { result: JSON.parse(cli.stdout) as RunResult, cli };
}

/** The result.json a run wrote under dir/artifacts (the only run there). */
export async function writtenResult(dir: string): Promise<RunResult> {
  const { readdir } = await import("node:fs/promises");
  const runs = await readdir(join(dir, "artifacts"));
  return JSON.parse(await readFile(join(dir, "artifacts", runs[0]!, "result.json"), "utf8")) as RunResult;
}
