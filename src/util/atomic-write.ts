import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { RuntimeFailure } from "../errors.js";

/**
 * Writes a file so that a reader never sees it half-written: the bytes go to a temp file in the same
 * directory (same filesystem, so rename is atomic) and are renamed over the target.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data, { flush: true });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new RuntimeFailure(
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check that the directory is writable and the disk has room`,
      { cause: err },
    );
  }
}
