/**
 * The local history store: a directory that needs no server and no native module. Each entry is written
 * whole to runs/<id>.json (temp file, fsync, rename), then one line of its summary is appended to
 * index.jsonl with a single O_APPEND write and an fsync. Concurrent writers on one host never interleave,
 * since Linux serialises O_APPEND writes to a file (a network filesystem may not: use the Postgres store).
 * A reader is not serialised with them: it may see part of a write that is under way, so it takes only
 * the lines that end in a newline. Each write starts with a newline too, so what a crash cut short stays
 * a line of its own and never runs into the next writer's entry.
 */
import { mkdir, open, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RuntimeFailure, UsageError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readFailure } from "../util/files.js";
import { type EntrySummary, type HistoryEntry, summarizeEntry } from "./entry.js";
import type { HistoryQuery, HistoryStore } from "./store.js";

export const LOCAL_STORE_SCHEMA = "benchline/history-store@1";
const FORMAT_FILE = "format.json";
const INDEX_FILE = "index.jsonl";

function ioFailure(what: string, err: unknown): RuntimeFailure {
  return new RuntimeFailure(`history store ${what}: ${readFailure(err)}`, { cause: err });
}

async function ensureStore(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory())
    throw new UsageError(`history store ${dir} is a file; name a directory (it is created when missing)`);
  const formatPath = join(dir, FORMAT_FILE);
  const text = await readFile(formatPath, "utf8").catch(() => undefined);
  if (text === undefined) {
    if (info) {
      const index = await stat(join(dir, INDEX_FILE)).catch(() => undefined);
      const names = await readdir(dir).catch(() => []);
      if (!index && names.length > 0)
        throw new UsageError(
          `${dir} is not a benchline history store (no ${FORMAT_FILE}); name an empty or new directory`,
        );
    }
    try {
      await mkdir(join(dir, "runs"), { recursive: true });
      // "wx": of two writers creating the store at once, one writes the file and the other finds it.
      await writeFile(formatPath, `${JSON.stringify({ schema: LOCAL_STORE_SCHEMA })}\n`, { flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw ioFailure(`${dir} cannot be created`, err);
    }
    return;
  }
  let schema: unknown;
  try {
    schema = (JSON.parse(text) as { schema?: unknown }).schema;
  } catch {
    throw new UsageError(`history store ${dir}: ${FORMAT_FILE} is corrupt (not JSON)`);
  }
  if (schema !== LOCAL_STORE_SCHEMA)
    throw new UsageError(
      `history store ${dir} holds ${String(schema)}, not ${LOCAL_STORE_SCHEMA}; upgrade benchline or name another directory`,
    );
}

/** Parses index.jsonl; a line that is not an entry summary is a corrupt store (exit 2). */
export function parseIndex(text: string, file: string): EntrySummary[] {
  const out: EntrySummary[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  // The text after the last newline is a write still under way (or cut short): not an entry yet.
  lines.pop();
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let e: EntrySummary;
    try {
      e = JSON.parse(line) as EntrySummary;
    } catch {
      throw new UsageError(
        `history store corrupt: ${file} line ${i + 1} is not JSON (a write cut short?); remove that line to go on`,
      );
    }
    if (typeof e?.id !== "string" || typeof e.profile !== "string" || !Array.isArray(e.runs))
      throw new UsageError(
        `history store corrupt: ${file} line ${i + 1} is not a history entry; remove that line to go on`,
      );
    // Two writers importing the same file at once may both append it: the first line counts.
    if (!seen.has(e.id)) out.push(e);
    seen.add(e.id);
  });
  return out;
}

class LocalStore implements HistoryStore {
  constructor(readonly label: string) {}

  private async index(): Promise<EntrySummary[]> {
    const file = join(this.label, INDEX_FILE);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw ioFailure(`${file} cannot be read`, err);
    }
    return parseIndex(text, file);
  }

  async append(entries: HistoryEntry[]): Promise<number> {
    const known = new Set((await this.index()).map((e) => e.id));
    const fresh = entries.filter((e) => !known.has(e.id));
    for (const e of fresh) await writeFileAtomic(join(this.label, "runs", `${e.id}.json`), JSON.stringify(e));
    if (fresh.length === 0) return 0;
    const lines = `\n${fresh.map((e) => `${JSON.stringify(summarizeEntry(e))}\n`).join("")}`;
    const file = join(this.label, INDEX_FILE);
    try {
      const handle = await open(file, "a");
      try {
        await handle.write(lines);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw ioFailure(`${file} cannot be appended to`, err);
    }
    return fresh.length;
  }

  async list(query: HistoryQuery): Promise<EntrySummary[]> {
    return (await this.index())
      .filter(
        (e) => (!query.profile || e.profile === query.profile) && (!query.since || e.time >= query.since),
      )
      .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }

  async read(ids: string[]): Promise<HistoryEntry[]> {
    return Promise.all(
      ids.map(async (id) => {
        const file = join(this.label, "runs", `${id}.json`);
        const text = await readFile(file, "utf8").catch((err) => {
          throw new UsageError(`history store corrupt: ${file} is missing (${readFailure(err)})`);
        });
        try {
          return JSON.parse(text) as HistoryEntry;
        } catch {
          throw new UsageError(`history store corrupt: ${file} is not JSON`);
        }
      }),
    );
  }

  async close(): Promise<void> {}
}

export async function openLocalStore(dir: string): Promise<HistoryStore> {
  await ensureStore(dir);
  return new LocalStore(dir);
}
