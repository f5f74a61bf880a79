/**
 * `--history STORE` on run, baseline record, compare and ab: the flags, a check of the store's form
 * before any load, and the append after the results are written. An append that fails never fails the
 * command: the results are on disk already, and one line on stderr says what was not stored and why.
 */
import type { Argv } from "yargs";
import { summarizeRun } from "../baseline/format.js";
import type { RunResult } from "../contract/result.js";
import { oneLine } from "../errors.js";
import { redactText } from "../profile/redact.js";
import { counted } from "../util/plural.js";
import { buildEntry, type HistoryEntry } from "./entry.js";
import { gitInfo } from "./git.js";
import { checkStoreSpec, openStore, storeLabel } from "./store.js";

export interface HistoryArgs {
  history?: string;
  gitSha?: string;
  gitBranch?: string;
}

export function withHistoryOptions<T>(y: Argv<T>) {
  return y
    .option("history", {
      type: "string",
      describe:
        "append what ran to a history store: a directory, or a postgres:// URL (env BENCHLINE_HISTORY)",
    })
    .option("git-sha", { type: "string", describe: "commit the run measured (default: CI env, git)" })
    .option("git-branch", { type: "string", describe: "branch the run measured (default: CI env, git)" });
}

/** The store to write to, or undefined; its form is checked before any run (exit 2). */
export function historyStore(args: HistoryArgs, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const spec = args.history ?? (env.BENCHLINE_HISTORY || undefined);
  if (spec !== undefined)
    checkStoreSpec(spec, args.history !== undefined ? "--history" : "BENCHLINE_HISTORY");
  return spec;
}

/** Entries for runs of one profile: one per environment the runs were made in (ab's A and B apart). */
export function entriesFor(
  source: string,
  results: RunResult[],
  args: HistoryArgs,
  env: NodeJS.ProcessEnv = process.env,
): HistoryEntry[] {
  const complete = results.filter((r) => r.complete);
  if (complete.length === 0) return [];
  return [
    buildEntry({
      source,
      profile: complete[0]!.profile,
      env: complete[0]!.env,
      runs: complete.map(summarizeRun),
      git: gitInfo(args, env),
    }),
  ];
}

/** Appends; on any failure writes one line saying what was not stored. Never throws. */
export async function recordHistory(
  spec: string | undefined,
  entries: HistoryEntry[],
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<boolean> {
  if (spec === undefined) return true;
  const label = storeLabel(spec);
  const what = entries
    .map((e) => `${e.source} of ${e.profile} (${counted(e.runs.length, "run")}, ${e.time})`)
    .join(", ");
  if (entries.length === 0) {
    write(`history: nothing stored in ${label}: no complete run`);
    return false;
  }
  try {
    const store = await openStore(spec);
    try {
      const added = await store.append(entries);
      write(`history: stored ${what} in ${label}${added < entries.length ? " (already there)" : ""}`);
    } finally {
      await store.close();
    }
    return true;
  } catch (err) {
    write(
      redactText(
        `warning: history: ${what} not stored in ${label}: ${oneLine(err)}; the results on disk are complete`,
      ),
    );
    return false;
  }
}
