import { constants } from "node:fs";
import { access, mkdir, open, readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/** Makes sure a directory exists and is writable, or says which flag to change. */
export async function ensureWritableDir(dir: string, what: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new UsageError(`${what} ${dir} is not writable (${code}); choose a writable directory`, {
      cause: err,
    });
  }
}

/** The last `lines` lines of a text file, or "" when it cannot be read. */
export async function tailFile(path: string, lines = 10, maxBytes = 64 * 1024): Promise<string> {
  try {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const start = Math.max(0, size - maxBytes);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      return buf.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } finally {
      await fh.close();
    }
  } catch {
    return "";
  }
}

export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Why a file could not be read, in words: "no such file", "it is a directory", or the error's code. */
export function readFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return "no such file";
  if (e.code === "EISDIR") return "it is a directory";
  return e.code ?? e.message;
}
