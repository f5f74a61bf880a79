import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { RuntimeFailure, UsageError } from "../errors.js";

const installHint =
  "install it with `apt-get install -y nats-server` (or from https://github.com/nats-io/nats-server/releases) or point NATS_SERVER_BIN at the binary";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The nats-server binary to start: NATS_SERVER_BIN when set, else the first on PATH (and /usr/sbin, where Debian puts it). */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.NATS_SERVER_BIN;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new RuntimeFailure(`NATS_SERVER_BIN=${explicit} is not an executable file; ${installHint}`);
  }
  const dirs = [...(env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, "nats-server");
    if (isExecutable(candidate)) return candidate;
  }
  throw new RuntimeFailure(`nats-server is not installed; ${installHint}`);
}

/** A binary named on the command line (`bin=PATH`): it must be an executable file. */
export function checkNatsServerBin(path: string): string {
  if (isExecutable(path)) return path;
  throw new UsageError(`bin=${path} is not an executable file; give the path of a nats-server binary`);
}
