/**
 * The drill's embedded monitoring stack: a local Prometheus scraping benchline's /metrics with the given
 * rules, and an Alertmanager that routes every alert to the drill's webhook receiver. Loopback ports picked
 * free, temp dirs, no clustering, short intervals (DRILL_INTERVALS); always stopped, also on error.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, openSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { stringify } from "yaml";
import { RuntimeFailure } from "../errors.js";
import { pickFreePort } from "../util/ports.js";
import { trackChild } from "../util/shutdown.js";
import { DRILL_INTERVALS } from "./drill-rules.js";

const HINT =
  "install the Debian packages prometheus and prometheus-alertmanager (apt-get install -y prometheus prometheus-alertmanager), set PROMETHEUS_BIN / ALERTMANAGER_BIN, or name your own stack with --prometheus URL";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findBinary(envVar: string, names: string[], env: NodeJS.ProcessEnv): string | undefined {
  const explicit = env[envVar];
  if (explicit) return executable(explicit) ? explicit : undefined;
  const dirs = [...(env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/bin", "/usr/sbin"];
  for (const dir of dirs) for (const n of names) if (executable(join(dir, n))) return join(dir, n);
  return undefined;
}

/** Both binaries, or one line naming what is missing (exit 3). */
export function findStackBinaries(env: NodeJS.ProcessEnv = process.env): {
  prometheus: string;
  alertmanager: string;
} {
  const prometheus = findBinary("PROMETHEUS_BIN", ["prometheus"], env);
  const alertmanager = findBinary("ALERTMANAGER_BIN", ["prometheus-alertmanager", "alertmanager"], env);
  const missing = [!prometheus && "prometheus", !alertmanager && "alertmanager"].filter(Boolean);
  if (missing.length > 0)
    throw new RuntimeFailure(`the embedded drill stack needs ${missing.join(" and ")}, not found; ${HINT}`);
  return { prometheus: prometheus!, alertmanager: alertmanager! };
}

export interface StackOptions {
  /** host:port of benchline's /metrics. */
  metricsTarget: string;
  /** Rules files Prometheus loads: name and text. */
  rules: Array<{ file: string; text: string }>;
  /** The drill's webhook receiver. */
  webhookUrl: string;
  env?: NodeJS.ProcessEnv;
}

export interface EmbeddedStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The temp dir holding configs, data and both logs. */
  dir: string;
  stop(): Promise<void>;
}

export function prometheusConfig(metricsTarget: string, alertmanager: string, ruleFiles: string[]): string {
  return stringify({
    global: {
      scrape_interval: `${DRILL_INTERVALS.scrapeS}s`,
      evaluation_interval: `${DRILL_INTERVALS.evaluationS}s`,
    },
    rule_files: ruleFiles,
    alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager] }] }] },
    scrape_configs: [{ job_name: "benchline", static_configs: [{ targets: [metricsTarget] }] }],
  });
}

export function alertmanagerConfig(webhookUrl: string): string {
  return stringify({
    route: {
      receiver: "benchline-drill-webhook",
      group_by: ["alertname"],
      group_wait: `${DRILL_INTERVALS.groupWaitS}s`,
      group_interval: `${DRILL_INTERVALS.groupIntervalS}s`,
      repeat_interval: "1h",
    },
    receivers: [
      { name: "benchline-drill-webhook", webhook_configs: [{ url: webhookUrl, send_resolved: true }] },
    ],
  });
}

async function waitReady(url: string, child: ChildProcess, what: string, log: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new RuntimeFailure(`${what} exited with code ${child.exitCode} before it was ready; see ${log}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new RuntimeFailure(`${what} was not ready within 20 s; see ${log}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startEmbeddedStack(opts: StackOptions): Promise<EmbeddedStack> {
  const bins = findStackBinaries(opts.env);
  const dir = await mkdtemp(join(tmpdir(), "benchline-drill-"));
  const children: ChildProcess[] = [];
  // Killed on any exit of benchline, so no Prometheus outlives a drill that crashed.
  const untrack: Array<() => void> = [];
  const stopChildren = async () => {
    for (const c of children.reverse()) await stopChild(c);
    children.length = 0;
    for (const u of untrack.splice(0)) u();
  };
  const stop = async () => {
    await stopChildren();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const amPort = await pickFreePort();
    const promPort = await pickFreePort();
    const ruleFiles = opts.rules.map((r, i) => join(dir, `rules-${i}-${r.file.replace(/[^\w.-]/g, "_")}`));
    for (const [i, r] of opts.rules.entries()) await writeFile(ruleFiles[i]!, r.text);
    await writeFile(join(dir, "alertmanager.yml"), alertmanagerConfig(opts.webhookUrl));
    await writeFile(
      join(dir, "prometheus.yml"),
      prometheusConfig(opts.metricsTarget, `127.0.0.1:${amPort}`, ruleFiles),
    );
    const amLog = join(dir, "alertmanager.log");
    const am = spawn(
      bins.alertmanager,
      [
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${join(dir, "am-data")}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        "--cluster.listen-address=",
      ],
      { stdio: ["ignore", openSync(amLog, "a"), openSync(amLog, "a")] },
    );
    children.push(am);
    if (am.pid !== undefined) untrack.push(trackChild(am.pid));
    const promLog = join(dir, "prometheus.log");
    const prom = spawn(
      bins.prometheus,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "prom-data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ["ignore", openSync(promLog, "a"), openSync(promLog, "a")] },
    );
    children.push(prom);
    if (prom.pid !== undefined) untrack.push(trackChild(prom.pid));
    const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    await waitReady(alertmanagerUrl, am, "alertmanager", amLog);
    await waitReady(prometheusUrl, prom, "prometheus", promLog);
    return { prometheusUrl, alertmanagerUrl, dir, stop };
  } catch (err) {
    // The dir stays: its logs say why.
    await stopChildren();
    throw err;
  }
}
