/** The `thresholds:` block a profile takes, from SLO proposals; and writing it into a profile in place. */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import { UsageError } from "../errors.js";
import { parseProfileText } from "../profile/loader.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { jsonFailure } from "../util/json-failure.js";
import type { SloProposal } from "./derive.js";

/** 20000 -> "20ms", 1500 -> "1.5ms", 800 -> "800us". */
export function latencyText(us: number): string {
  if (us >= 1_000_000 && us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us >= 1000) return `${Number((us / 1000).toPrecision(6))}ms`;
  return `${us}us`;
}

export function thresholdEntries(proposals: SloProposal[]): Array<[string, string]> {
  return proposals.map((p) => [
    p.metric,
    `${p.op} ${p.kind === "latency" ? latencyText(p.objective) : p.objective}`,
  ]);
}

export function renderThresholdsBlock(proposals: SloProposal[]): string {
  const lines = ["thresholds:", ...thresholdEntries(proposals).map(([m, v]) => `  ${m}: "${v}"`)];
  return `${lines.join("\n")}\n`;
}

/**
 * Sets each threshold in the profile file, keeping the rest of it and its comments, and writes it
 * atomically, only after the result loads as a valid profile.
 */
export async function writeThresholdsIntoProfile(file: string, proposals: SloProposal[]): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read profile ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
  let updated: string;
  if (extname(file).toLowerCase() === ".json") {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`${file}: malformed JSON: ${jsonFailure(err)}`);
    }
    doc.thresholds = { ...(doc.thresholds as object), ...Object.fromEntries(thresholdEntries(proposals)) };
    updated = `${JSON.stringify(doc, null, 2)}\n`;
  } else {
    const doc = parseDocument(text);
    if (doc.errors.length > 0)
      throw new UsageError(`${file}: malformed YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
    for (const [metric, value] of thresholdEntries(proposals)) doc.setIn(["thresholds", metric], value);
    updated = doc.toString();
  }
  // The profile must still load (a threshold on a metric it does not produce is refused here, not later).
  parseProfileText(updated, file, {
    ...process.env,
    ...Object.fromEntries([...updated.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => [m[1], "x"])),
  });
  await writeFileAtomic(file, updated);
}
