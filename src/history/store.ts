/**
 * The history store: where entries are appended and read back. STORE is a directory path (the local
 * store: JSON files with an index, no server) or a postgres:// URL (the shared store for CI runners).
 */
import { UsageError } from "../errors.js";
import { redactUrl } from "../profile/redact.js";
import type { EntrySummary, HistoryEntry } from "./entry.js";

/** Which entries a query wants; `since` is an ISO-8601 instant. */
export interface HistoryQuery {
  profile?: string;
  since?: string;
}

export interface HistoryStore {
  /** The store as it may be printed: a URL's password redacted. */
  readonly label: string;
  /** Appends entries; one already stored (same id) is skipped. Returns how many were new. */
  append(entries: HistoryEntry[]): Promise<number>;
  /** Entries without histograms, oldest first. */
  list(query: HistoryQuery): Promise<EntrySummary[]>;
  /** Whole entries (with histograms) by id. */
  read(ids: string[]): Promise<HistoryEntry[]>;
  close(): Promise<void>;
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** The store as printable text: no password in it. */
export function storeLabel(spec: string): string {
  return isPostgresUrl(spec) ? redactUrl(spec) : spec;
}

/** Checks the spec's form before any load runs; opening reaches the store. */
export function checkStoreSpec(spec: string, flag = "--history"): void {
  if (spec.trim() === "") throw new UsageError(`${flag} is empty: name a directory or a postgres:// URL`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !isPostgresUrl(spec))
    throw new UsageError(`${flag} ${storeLabel(spec)}: a store is a directory path or a postgres:// URL`);
  if (isPostgresUrl(spec)) {
    try {
      new URL(spec);
    } catch {
      throw new UsageError(`${flag} ${storeLabel(spec)} is not a valid URL`);
    }
  }
}

export async function openStore(spec: string): Promise<HistoryStore> {
  checkStoreSpec(spec);
  if (isPostgresUrl(spec)) {
    const { openPostgresStore } = await import("./postgres-store.js");
    return openPostgresStore(spec);
  }
  const { openLocalStore } = await import("./local-store.js");
  return openLocalStore(spec);
}
