/**
 * The shared history store on PostgreSQL, for CI runners that write at once. Each entry goes in one
 * transaction (a run row, its metric values, its histograms), so a reader sees all of it or none; the
 * schema is created under an advisory lock, so that concurrent first writers do not race on it.
 * Grafana and Otava read the tables directly (docs/compare-in-ci.md, History).
 */
import pg from "pg";
import { RuntimeFailure, UsageError } from "../errors.js";
import { redactText } from "../profile/redact.js";
import type { EntrySummary, HistoryEntry } from "./entry.js";
import type { HistoryQuery, HistoryStore } from "./store.js";
import { storeLabel } from "./store.js";

/** The schema, as documented in docs/compare-in-ci.md. Idempotent. */
export const POSTGRES_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS benchline_runs (
  id            bigserial PRIMARY KEY,
  entry_id      text NOT NULL UNIQUE,
  time          timestamptz NOT NULL,
  recorded_at   timestamptz NOT NULL,
  source        text NOT NULL,
  profile       text NOT NULL,
  profile_hash  text NOT NULL,
  gating        text[] NOT NULL,
  git_sha       text,
  git_branch    text,
  benchline     text NOT NULL,
  server_version text,
  fingerprint   jsonb NOT NULL,
  fingerprint_hash text NOT NULL
);
CREATE INDEX IF NOT EXISTS benchline_runs_profile_time ON benchline_runs (profile, time);
CREATE TABLE IF NOT EXISTS benchline_metric_values (
  run_id     bigint NOT NULL REFERENCES benchline_runs (id) ON DELETE CASCADE,
  run_index  int NOT NULL,
  started_at timestamptz NOT NULL,
  metric     text NOT NULL,
  value      double precision NOT NULL,
  PRIMARY KEY (run_id, run_index, metric)
);
CREATE TABLE IF NOT EXISTS benchline_histograms (
  run_id    bigint NOT NULL REFERENCES benchline_runs (id) ON DELETE CASCADE,
  run_index int NOT NULL,
  kind      text NOT NULL,
  hdr       text NOT NULL,
  PRIMARY KEY (run_id, run_index, kind)
);`;

/** An arbitrary constant that names benchline's schema lock among the server's advisory locks. */
const SCHEMA_LOCK = 0x62656e63;

class PostgresStore implements HistoryStore {
  constructor(
    readonly label: string,
    private readonly pool: pg.Pool,
  ) {}

  async append(entries: HistoryEntry[]): Promise<number> {
    let added = 0;
    for (const e of entries) {
      const client = await this.pool.connect();
      try {
        await client.query("BEGIN");
        const row = await client.query<{ id: string }>(
          `INSERT INTO benchline_runs (entry_id, time, recorded_at, source, profile, profile_hash, gating,
             git_sha, git_branch, benchline, server_version, fingerprint, fingerprint_hash)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
           ON CONFLICT (entry_id) DO NOTHING RETURNING id`,
          [
            e.id,
            e.time,
            e.recordedAt,
            e.source,
            e.profile,
            e.profileHash,
            e.gating,
            e.gitSha ?? null,
            e.gitBranch ?? null,
            e.benchline,
            e.serverVersion ?? null,
            JSON.stringify(e.fingerprint),
            e.fingerprint.hash,
          ],
        );
        const id = row.rows[0]?.id;
        if (id !== undefined) {
          const values = e.runs.flatMap((r, i) =>
            Object.entries(r.metrics).map(([m, v]) => [id, i, r.startedAt, m, v] as const),
          );
          if (values.length > 0)
            await client.query(
              `INSERT INTO benchline_metric_values (run_id, run_index, started_at, metric, value)
               SELECT * FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::text[], $5::float8[])`,
              [0, 1, 2, 3, 4].map((k) => values.map((v) => v[k])),
            );
          const hdrs = e.runs.flatMap((r, i) =>
            Object.entries(r.hdr).map(([k, h]) => [id, i, k, h] as const),
          );
          if (hdrs.length > 0)
            await client.query(
              `INSERT INTO benchline_histograms (run_id, run_index, kind, hdr)
               SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[])`,
              [0, 1, 2, 3].map((k) => hdrs.map((v) => v[k])),
            );
          added++;
        }
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw this.failure("append failed", err);
      } finally {
        client.release();
      }
    }
    return added;
  }

  private async rows(query: HistoryQuery, ids?: string[]) {
    const runs = await this.pool.query(
      `SELECT id, entry_id, time, recorded_at, source, profile, profile_hash, gating, git_sha, git_branch,
              benchline, server_version, fingerprint
         FROM benchline_runs
        WHERE ($1::text IS NULL OR profile = $1) AND ($2::timestamptz IS NULL OR time >= $2)
          AND ($3::text[] IS NULL OR entry_id = ANY($3))
        ORDER BY time, id`,
      [query.profile ?? null, query.since ?? null, ids ?? null],
    );
    const runIds = runs.rows.map((r) => r.id as string);
    const values = await this.pool.query(
      `SELECT run_id, run_index, started_at, metric, value FROM benchline_metric_values
        WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, run_index`,
      [runIds],
    );
    return { runs: runs.rows, values: values.rows, runIds };
  }

  async list(query: HistoryQuery): Promise<EntrySummary[]> {
    try {
      const { runs, values } = await this.rows(query);
      const byRun = new Map<string, Array<{ startedAt: string; metrics: Record<string, number> }>>();
      for (const v of values) {
        const list = byRun.get(v.run_id) ?? [];
        byRun.set(v.run_id, list);
        list[v.run_index] ??= { startedAt: new Date(v.started_at).toISOString(), metrics: {} };
        list[v.run_index]!.metrics[v.metric] = v.value;
      }
      return runs.map((r) => ({
        schema: "benchline/history-entry@1" as const,
        id: r.entry_id,
        time: new Date(r.time).toISOString(),
        recordedAt: new Date(r.recorded_at).toISOString(),
        source: r.source,
        profile: r.profile,
        profileHash: r.profile_hash,
        gating: r.gating,
        ...(r.git_sha && { gitSha: r.git_sha }),
        ...(r.git_branch && { gitBranch: r.git_branch }),
        benchline: r.benchline,
        ...(r.server_version && { serverVersion: r.server_version }),
        fingerprint: r.fingerprint,
        runs: (byRun.get(r.id) ?? []).filter(Boolean),
      }));
    } catch (err) {
      throw this.failure("read failed", err);
    }
  }

  async read(ids: string[]): Promise<HistoryEntry[]> {
    const summaries = (await this.list({})).filter((e) => ids.includes(e.id));
    try {
      const hdrs = await this.pool.query(
        `SELECT r.entry_id, h.run_index, h.kind, h.hdr FROM benchline_histograms h
           JOIN benchline_runs r ON r.id = h.run_id WHERE r.entry_id = ANY($1)`,
        [ids],
      );
      return summaries.map((s) => ({
        ...s,
        runs: s.runs.map((r, i) => ({
          ...r,
          hdr: Object.fromEntries(
            hdrs.rows.filter((h) => h.entry_id === s.id && h.run_index === i).map((h) => [h.kind, h.hdr]),
          ),
        })),
      }));
    } catch (err) {
      throw this.failure("read failed", err);
    }
  }

  failure(what: string, err: unknown): RuntimeFailure {
    const message = redactText((err as Error).message ?? String(err));
    return new RuntimeFailure(`history store ${this.label} ${what}: ${message}`, { cause: err });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export async function openPostgresStore(url: string): Promise<HistoryStore> {
  const label = storeLabel(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server emits an error; the next query reports it instead.
  pool.on("error", () => {});
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    await pool.end().catch(() => {});
    const message = redactText((err as Error).message || (err as NodeJS.ErrnoException).code || "refused");
    throw new RuntimeFailure(`history store ${label} is unreachable: ${message}`, { cause: err });
  }
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
    await client.query(POSTGRES_SCHEMA_SQL);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    client.release();
    await pool.end().catch(() => {});
    const message = redactText((err as Error).message);
    throw new UsageError(`history store ${label} cannot hold benchline's tables: ${message}`, { cause: err });
  }
  client.release();
  return new PostgresStore(label, pool);
}
