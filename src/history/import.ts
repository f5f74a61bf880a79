/**
 * `history import FILE ...`: seeds a history from baselines and run results benchline wrote before.
 * Every file is read and checked before anything is stored: all of one profile, and the profile the
 * store already keeps under that name, unless told otherwise.
 */
import { UsageError } from "../errors.js";
import { readDocument } from "../report/documents.js";
import { buildEntry, type HistoryEntry } from "./entry.js";
import type { HistoryStore } from "./store.js";

export interface ImportOptions {
  /** The profile name every file must be of. */
  profile?: string;
  allowProfileChange?: boolean;
  gitSha?: string;
  gitBranch?: string;
}

/** Reads one file into an entry; a compare or capacity file, or an incomplete run, is refused (exit 2). */
export async function entryFromFile(file: string, options: ImportOptions): Promise<HistoryEntry> {
  const parsed = await readDocument(file);
  const git = (sha?: string) => ({ sha: options.gitSha ?? sha, branch: options.gitBranch });
  if (parsed.kind === "run") {
    const r = parsed.doc;
    if (!r.complete)
      throw new UsageError(
        `${file} is an incomplete run (${r.abortReason ?? "interrupted"}); import complete runs only`,
      );
    return buildEntry({
      source: "import:run",
      profile: r.profile,
      env: r.env,
      runs: [r],
      git: git(r.env.gitSha),
    });
  }
  if (parsed.kind === "baseline") {
    const b = parsed.doc;
    return buildEntry({
      source: "import:baseline",
      profile: b.profile,
      env: b.env,
      runs: b.runs,
      git: git(b.env.gitSha),
    });
  }
  throw new UsageError(`${file} is a ${parsed.kind} file; import run results (result.json) and baselines`);
}

/** Reads every file, checks they belong together and to the store's series, then appends. */
export async function importFiles(
  store: HistoryStore,
  files: string[],
  options: ImportOptions,
): Promise<{ entries: HistoryEntry[]; added: number }> {
  const entries: HistoryEntry[] = [];
  for (const file of files) {
    const e = await entryFromFile(file, options);
    if (options.profile && e.profile !== options.profile)
      throw new UsageError(
        `${file} is a result of profile ${e.profile}, not ${options.profile}; nothing was imported`,
      );
    const first = entries[0];
    if (
      first &&
      !options.allowProfileChange &&
      first.profile === e.profile &&
      first.profileHash !== e.profileHash
    )
      throw new UsageError(
        `${file} ran profile ${e.profile} with hash ${e.profileHash}, ${files[0]} with ${first.profileHash}; nothing was imported (--allow-profile-change to keep both)`,
      );
    entries.push(e);
  }
  if (!options.allowProfileChange) {
    for (const name of new Set(entries.map((e) => e.profile))) {
      const kept = (await store.list({ profile: name })).at(-1);
      const other = entries.find((e) => e.profile === name && kept && e.profileHash !== kept.profileHash);
      if (kept && other)
        throw new UsageError(
          `${files[entries.indexOf(other)]} is a result of another profile: ${name} hash ${other.profileHash}, the store's ${name} is ${kept.profileHash}; nothing was imported (--allow-profile-change to import it)`,
        );
    }
  }
  const added = await store.append(entries);
  return { entries, added };
}
