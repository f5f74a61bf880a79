/**
 * The embedded server from the user's own nats-server.conf. benchline never rewrites that file: it writes
 * a wrapper that `include`s it and then sets, after it, what one embedded server must have of its own
 * (later keys win in the server's config format): free ports on loopback, a temp JetStream store, a ports
 * file, its log on stdout. A block such as `websocket { ... }` is replaced whole by a later one, so a
 * block whose port moves is written again from the user's own entries, with only the listen entries
 * changed. Everything else (accounts, users, permissions, limits, max_payload, TLS) stays the file's.
 * Links to other servers (cluster routes, gateways, leafnode remotes) are dropped: a server benchline
 * starts never joins the user's real cluster.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { ServerConfigRecord } from "../contract/server-config.js";
import { UsageError } from "../errors.js";
import { readFailure } from "../util/files.js";
import { type ConfEntry, type ConfItem, ConfSyntaxError, type ConfValue, parseConf } from "./conf-parse.js";

/** How to start from the user's config: the file, and what of its own to keep. */
export interface UserConfigSpec {
  file: string;
  /** Keep the listen addresses as written instead of free loopback ports (one server only). */
  keepPorts?: boolean;
  /** Keep the JetStream store dir as written instead of a temp dir. */
  keepStore?: boolean;
}

/** What one node needs beside the user's config. */
export interface NodeSettings {
  /** Where the wrapper and the ports file go. */
  runDir: string;
  storeDir: string;
  /** -1: the server picks. */
  port: number;
  monitorPort: number;
  /** Set for the nodes of a local cluster, which need names of their own. */
  serverName?: string;
  cluster?: { name: string; port: number; routes: string[] };
}

/** An entry and the file it was read from (for include paths and error messages). */
export interface Located {
  entry: ConfEntry;
  text: string;
  file: string;
}

/** One file of the config as read: its text, its items and the hash of its bytes. */
interface ConfFile {
  text: string;
  items: ConfItem[];
  sha256: string;
}

/** The user's config as the server merges it: each top-level key's last assignment, includes followed. */
export interface UserConfig {
  file: string;
  /** By key as written; a later assignment replaces an earlier one, as in the server. */
  top: Map<string, Located>;
  /** Every file read, by the path the server reads it at: the config first, then its includes at any depth. */
  files: Map<string, ConfFile>;
}

const MAX_INCLUDE_DEPTH = 16;
const q = (value: string) => JSON.stringify(value);
const LOOPBACK = "127.0.0.1";

async function readConfFile(file: string, from: string): Promise<ConfFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UsageError(`${from}: cannot read ${file} (${readFailure(err)}); check the path`);
  }
  const text = bytes.toString("utf8");
  try {
    return { text, items: parseConf(text), sha256: createHash("sha256").update(bytes).digest("hex") };
  } catch (err) {
    if (!(err instanceof ConfSyntaxError)) throw err;
    throw new UsageError(
      `${file}: ${err.message}; nats-server accepts the file but benchline's reader of it does not: start nats-server -c ${file} yourself and pass --server URL (and report this)`,
    );
  }
}

/** Reads the config and every file it includes, at the top level and inside blocks, depth first. */
export async function readUserConfig(file: string): Promise<UserConfig> {
  const top = new Map<string, Located>();
  const files = new Map<string, ConfFile>();
  const load = async (path: string, from: string, depth: number, atTop: boolean): Promise<void> => {
    if (depth > MAX_INCLUDE_DEPTH)
      throw new UsageError(
        `${file}: includes nest deeper than ${MAX_INCLUDE_DEPTH}; look for an include loop`,
      );
    let read = files.get(path);
    if (!read) {
      read = await readConfFile(path, from);
      files.set(path, read);
    }
    const { text } = read;
    const items = async (list: ConfItem[], merge: boolean): Promise<void> => {
      for (const item of list) {
        // As the server does: the path joins the including file's dir, even when it starts with "/".
        if (item.kind === "include") await load(join(dirname(path), item.path), path, depth + 1, merge);
        else {
          if (merge) {
            top.delete(item.key);
            top.set(item.key, { entry: item, text, file: path });
          }
          await values(item.value);
        }
      }
    };
    const values = async (value: ConfValue): Promise<void> => {
      if (value.kind === "map") await items(value.items, false);
      if (value.kind === "array") for (const v of value.items) await values(v);
    };
    await items(read.items, atTop);
  };
  await load(file, "--server-config", 0, true);
  return { file, top, files };
}

/** Which files the config is, by path and hash, never by content (it may hold secrets). */
export function configRecord(config: UserConfig): ServerConfigRecord {
  const [first, ...included] = [...config.files].map(([path, f]) => ({ path, sha256: f.sha256 }));
  return { ...first!, path: config.file, ...(included.length > 0 && { includes: included }) };
}

/** The record of the config an embedded server started from, when it started from one. */
export async function serverConfigRecord(
  spec: UserConfigSpec | undefined,
): Promise<ServerConfigRecord | undefined> {
  return spec ? configRecord(await readUserConfig(spec.file)) : undefined;
}

/** A map's entries with the includes inside it read in place, each with the text it came from. */
export function mapEntries(config: UserConfig, at: Located): Located[] {
  const out: Located[] = [];
  const walk = (items: ConfItem[], text: string, file: string) => {
    for (const item of items) {
      if (item.kind === "entry") {
        out.push({ entry: item, text, file });
        continue;
      }
      const path = join(dirname(file), item.path);
      const read = config.files.get(path)!;
      walk(read.items, read.text, path);
    }
  };
  if (at.entry.value.kind === "map") walk(at.entry.value.items, at.text, at.file);
  return out;
}

const sourceOf = (l: Located) => l.text.slice(l.entry.start, l.entry.end);

/** Top-level keys whose lower-case form is one of `names` (the server reads keys case-insensitively). */
export function keysOf(config: UserConfig, ...names: string[]): Located[] {
  return [...config.top.values()].filter((l) => names.includes(l.entry.key.toLowerCase()));
}

/** The listen entries of a block or of the top level, moved to loopback and `port`; extra entries to add. */
function listenEdits(
  keys: string[],
  port: number,
  addPortIfNone: boolean,
): { edit: Map<string, string>; add: string[] } {
  const lower = new Set(keys.map((k) => k.toLowerCase()));
  const edit = new Map<string, string>();
  for (const key of keys) {
    const k = key.toLowerCase();
    if (k === "listen") edit.set(key, q(`${LOOPBACK}:${port}`));
    if (k === "port") edit.set(key, String(port));
    if (k === "host" || k === "net") edit.set(key, q(LOOPBACK));
  }
  const add: string[] = [];
  const listens = lower.has("listen") || lower.has("port");
  if (!listens && addPortIfNone) add.push(`port: ${port}`);
  if ((listens || addPortIfNone) && !lower.has("listen") && !lower.has("host") && !lower.has("net"))
    add.push(`host: ${q(LOOPBACK)}`);
  return { edit, add };
}

/** `key { ...the user's entries, some replaced or dropped... }` */
function block(key: string, entries: Located[], edit: Map<string, string | null>, add: string[]): string {
  const lines = [`${q(key)} {`];
  for (const l of entries) {
    const replaced = edit.get(l.entry.key);
    if (replaced === null) continue;
    lines.push(`  ${replaced === undefined ? sourceOf(l) : `${q(l.entry.key)}: ${replaced}`}`);
  }
  for (const a of add) lines.push(`  ${a}`);
  lines.push("}");
  return lines.join("\n");
}

/** A block's entries, written out or as a variable that holds a { ... } block at the top level. */
function blockEntries(config: UserConfig, l: Located): Located[] {
  const value = l.entry.value;
  const block = value.kind === "variable" ? config.top.get(value.name) : l;
  if (block?.entry.value.kind !== "map")
    throw new UsageError(
      `${l.file}: ${l.entry.key} is not written as a { ... } block, so benchline cannot move its port; write it out, or run the file as written with --keep-ports`,
    );
  return mapEntries(config, block);
}

const entryKeys = (entries: Located[]) => entries.map((e) => e.entry.key);
export const withKeys = (entries: Located[], ...names: string[]) =>
  entries.filter((e) => names.includes(e.entry.key.toLowerCase()));

/**
 * The wrapper config for one node: the user's file included (by a path relative to the wrapper, since
 * the server joins include paths to the including file's dir), then benchline's settings after it.
 */
export async function renderWrapper(
  config: UserConfig,
  spec: UserConfigSpec,
  node: NodeSettings,
): Promise<string> {
  const out = [
    `# Written by benchline for one embedded server: ${resolve(config.file)} as written, then what`,
    "# this server needs of its own. Later keys replace earlier ones.",
    `include ${q(relative(node.runDir, resolve(config.file)))}`,
    "",
  ];
  const set = (key: string, value: string) => out.push(`${q(key)}: ${value}`);
  /** Every spelling of the key the file uses gets the value; `canonical` is added when it uses none. */
  const override = (names: string[], value: string, canonical?: string) => {
    const present = keysOf(config, ...names);
    for (const l of present) set(l.entry.key, value);
    if (present.length === 0 && canonical) set(canonical, value);
  };

  if (!spec.keepPorts) {
    const client = keysOf(config, "listen", "port", "host", "net");
    const { edit, add } = listenEdits(entryKeys(client), node.port, true);
    for (const [key, value] of edit) set(key, value);
    out.push(...add);
    // An advertised address would send clients (and routes) to the real deployment.
    override(["client_advertise"], q(""));
    override(["prof_port"], "-1");
  }
  const monitoring = keysOf(config, "http", "http_port", "monitor_port");
  if (spec.keepPorts && monitoring.length > 0) {
    // kept as written
  } else {
    // benchline reads /healthz and /varz over plain HTTP on loopback; an HTTPS-only monitor port is off.
    override(["http_port", "monitor_port"], String(node.monitorPort));
    override(["http"], q(`${LOOPBACK}:${node.monitorPort}`), "http");
    override(["https"], q(`${LOOPBACK}:0`));
    override(["https_port"], "0");
  }
  override(["ports_file_dir"], q(node.runDir), "ports_file_dir");
  // The server's log goes to benchline's log file (its stdout), not wherever the file sends it.
  override(["log_file", "logfile", "pid_file", "pidfile", "remote_syslog"], q(""));
  override(["syslog"], "false");
  if (node.serverName) override(["server_name"], q(node.serverName), "server_name");

  if (!spec.keepStore) await storeOverrides(config, node.storeDir, out);
  await clusterOverrides(config, node, out);
  for (const l of keysOf(config, "gateway")) out.push(`${q(l.entry.key)} {}`);
  for (const l of keysOf(config, "leaf", "leafnodes")) {
    const entries = blockEntries(config, l);
    const remotes = withKeys(entries, "remotes");
    const listen = withKeys(entries, "listen", "port", "host", "net");
    if (remotes.length === 0 && (spec.keepPorts || listen.length === 0)) continue;
    const edit = new Map<string, string | null>(remotes.map((r) => [r.entry.key, null]));
    let add: string[] = [];
    if (!spec.keepPorts && listen.length > 0) {
      const moved = listenEdits(entryKeys(listen), -1, false);
      for (const [k, v] of moved.edit) edit.set(k, v);
      add = moved.add;
    }
    out.push(block(l.entry.key, entries, edit, add));
  }
  if (!spec.keepPorts) {
    for (const l of keysOf(config, "websocket", "ws", "mqtt")) {
      const entries = blockEntries(config, l);
      const listen = withKeys(entries, "listen", "port", "host", "net");
      if (listen.length === 0) continue;
      const moved = listenEdits(entryKeys(listen), -1, false);
      out.push(block(l.entry.key, entries, moved.edit, moved.add));
    }
  }
  return `${out.join("\n")}\n`;
}

const STORE_KEYS = ["store", "store_dir", "storedir"];

/** The JetStream store in `storeDir`, wherever the file put it; JetStream stays on or off as written. */
async function storeOverrides(config: UserConfig, storeDir: string, out: string[]): Promise<void> {
  const topLevel = keysOf(config, "store_dir", "storedir");
  for (const l of topLevel) out.push(`${q(l.entry.key)}: ${q(storeDir)}`);
  let inBlock = false;
  for (const l of keysOf(config, "jetstream")) {
    if (l.entry.value.kind !== "map") continue;
    const entries = mapEntries(config, l);
    const stores = withKeys(entries, ...STORE_KEYS);
    if (stores.length === 0) continue;
    inBlock = true;
    out.push(block(l.entry.key, entries, new Map(stores.map((s) => [s.entry.key, q(storeDir)])), []));
  }
  if (!inBlock && topLevel.length === 0 && keysOf(config, "jetstream").length > 0)
    out.push(`store_dir: ${q(storeDir)}`);
}

/** One server: no cluster at all. A node of benchline's local cluster: routes to its siblings only. */
async function clusterOverrides(config: UserConfig, node: NodeSettings, out: string[]): Promise<void> {
  const existing = keysOf(config, "cluster");
  if (!node.cluster) {
    for (const l of existing) out.push(`${q(l.entry.key)} {}`);
    return;
  }
  const c = node.cluster;
  const ours = [`listen: ${q(`${LOOPBACK}:${c.port}`)}`, `routes: [${c.routes.map(q).join(", ")}]`];
  if (existing.length === 0) {
    out.push(block("cluster", [], new Map(), [`name: ${q(c.name)}`, ...ours]));
    return;
  }
  for (const l of existing) {
    const entries = blockEntries(config, l);
    // Route credentials and advertised addresses belong to the real cluster; benchline's nodes route
    // to each other on loopback without them.
    const dropped = withKeys(
      entries,
      "listen",
      "port",
      "host",
      "net",
      "routes",
      "authorization",
      "advertise",
      "cluster_advertise",
    );
    const named = withKeys(entries, "name").length > 0;
    out.push(
      block(
        l.entry.key,
        entries,
        new Map(dropped.map((d) => [d.entry.key, null])),
        named ? ours : [`name: ${q(c.name)}`, ...ours],
      ),
    );
  }
}
