import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { CliResult } from "./cli.js";

/** Every file under dir, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** Fails with the file's name when any secret's bytes are in stdout, stderr or any file written. */
export async function expectNoSecrets(cli: CliResult, outputs: string[], secrets: string[]): Promise<number> {
  let scanned = 0;
  const sources: Array<[string, Buffer]> = [
    ["stdout", Buffer.from(cli.stdout)],
    ["stderr", Buffer.from(cli.stderr)],
  ];
  for (const output of outputs) {
    const files = (await stat(output)).isDirectory() ? await filesUnder(output) : [output];
    for (const file of files) sources.push([file, await readFile(file)]);
  }
  for (const [where, bytes] of sources) {
    scanned++;
    for (const secret of secrets)
      expect(bytes.includes(Buffer.from(secret)), `${secret.slice(0, 6)}... in ${where}`).toBe(false);
  }
  return scanned;
}
