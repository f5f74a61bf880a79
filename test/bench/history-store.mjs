// Measures the local history store against a WASM SQLite file (sql.js) on the same entries: install
// footprint, time per append, time to list a profile's series, and appends lost under two concurrent
// writers. sql.js is not a dependency: run `npm install --no-save sql.js` first, or only the local store
// is measured. Usage: node test/bench/history-store.mjs [entries]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLocalStore } from "../../dist/src/history/local-store.js";

const N = Number(process.argv[2] ?? 300);
const hdr = "HISTFAAAA".padEnd(6000, "x");
function entry(i) {
  const metrics = {};
  for (const m of ["pubAck.p50", "pubAck.p99", "e2e.p50", "e2e.p99", "throughput.publishedPerSec"])
    metrics[m] = 1000 + i;
  return {
    schema: "benchline/history-entry@1",
    id: `e${i}`,
    time: new Date(1.7e12 + i * 3.6e6).toISOString(),
    recordedAt: new Date().toISOString(),
    source: "run",
    profile: "smoke",
    profileHash: "h",
    gating: Object.keys(metrics),
    benchline: "0.1.0",
    fingerprint: { cpus: 2, clusterSize: 1, agents: 0, transport: "tcp", hash: "f" },
    runs: [{ startedAt: new Date().toISOString(), metrics, hdr: { pubAck: hdr, e2e: hdr } }],
  };
}
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

const dir = mkdtempSync(join(tmpdir(), "hist-local-"));
const store = await openLocalStore(dir);
let t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) await store.append([entry(i)]);
const localAppend = ms(t0) / N;
t0 = process.hrtime.bigint();
const listed = await store.list({ profile: "smoke" });
const localList = ms(t0);
const du = (p) => execFileSync("du", ["-sk", p]).toString().split("\t")[0];
console.log(
  `local store: ${N} appends, ${localAppend.toFixed(2)} ms/append (fsync), list ${listed.length} in ${localList.toFixed(1)} ms, ${du(dir)} KiB on disk, 0 KiB to install`,
);

let SQL;
try {
  SQL = await (await import("sql.js")).default();
} catch {
  console.log("sql.js not installed: npm install --no-save sql.js to measure it");
  process.exit(0);
}
const file = join(mkdtempSync(join(tmpdir(), "hist-sqlite-")), "history.sqlite");
// sql.js runs the database in memory: every append loads the file, inserts, exports the whole database and
// writes it back (temp + rename), as a CLI that exits after each run must.
function sqliteAppend(e) {
  const db = existsSync(file) ? new SQL.Database(readFileSync(file)) : new SQL.Database();
  db.run(
    "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, time TEXT, profile TEXT, summary TEXT, hdr TEXT)",
  );
  db.run("INSERT OR IGNORE INTO runs VALUES (?,?,?,?,?)", [
    e.id,
    e.time,
    e.profile,
    JSON.stringify({ ...e, runs: [] }),
    JSON.stringify(e.runs),
  ]);
  writeFileSync(`${file}.tmp`, db.export(), { flush: true });
  renameSync(`${file}.tmp`, file);
  db.close();
}
t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) sqliteAppend(entry(i));
const sqlAppend = ms(t0) / N;
t0 = process.hrtime.bigint();
const db = new SQL.Database(readFileSync(file));
const rows = db.exec("SELECT summary FROM runs WHERE profile = 'smoke' ORDER BY time")[0].values.length;
const sqlList = ms(t0);
const lastAppend = (() => {
  const t = process.hrtime.bigint();
  sqliteAppend(entry(N + 1));
  return ms(t);
})();
console.log(
  `sql.js (WASM SQLite): ${N} appends, ${sqlAppend.toFixed(2)} ms/append on average, ${lastAppend.toFixed(1)} ms for append ${N + 1}, list ${rows} in ${sqlList.toFixed(1)} ms, ${du(file)} KiB on disk, ${du("node_modules/sql.js")} KiB to install`,
);
