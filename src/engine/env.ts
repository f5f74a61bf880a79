/** The environment a run was made in, so that runs from different machines are not compared blindly. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, hostname } from "node:os";
import { join } from "node:path";
import type { RunEnv } from "../contract/env.js";
import { benchlineVersion } from "../version.js";

function clientVersion(): string {
  try {
    // The package's exports map hides package.json; find it beside the resolved entry point.
    const entry = createRequire(import.meta.url).resolve("@nats-io/nats-core");
    const pkgPath = join(
      entry.slice(0, entry.lastIndexOf("/nats-core/") + "/nats-core/".length),
      "package.json",
    );
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string };
    return `nats.js ${pkg.version}`;
  } catch {
    return "nats.js";
  }
}

function gitSha(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { stdio: ["ignore", "pipe", "ignore"], timeout: 2000 })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

export function describeEnv(
  serverVersion: string | undefined,
  clusterSize: number,
  embedded: boolean,
): RunEnv {
  return {
    host: hostname(),
    cpus: cpus().length,
    node: process.version,
    benchline: benchlineVersion,
    client: clientVersion(),
    serverVersion,
    clusterSize,
    embeddedServer: embedded,
    gitSha: gitSha(),
  };
}
