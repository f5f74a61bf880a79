/** Reads and writes baseline files: atomic writes, and one clear line for every way a file can be wrong. */
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readFailure } from "../util/files.js";
import { jsonFailure } from "../util/json-failure.js";
import { BASELINE_SCHEMA, type Baseline, baselineSchema } from "./format.js";

export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(baseline, null, 2)}\n`);
}

/** Parses baseline text; `file` names it in errors. Every failure is a UsageError (exit 2). */
export function parseBaseline(text: string, file: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const truncated = /Unexpected end|Unterminated|end of JSON/i.test((err as Error).message);
    throw new UsageError(
      truncated
        ? `${file} is truncated (the JSON ends early); record the baseline again`
        : `${file} is not JSON (${jsonFailure(err)}); a baseline is the file \`benchline baseline record\` writes`,
    );
  }
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (typeof schema !== "string" || !schema.startsWith("benchline/")) {
    throw new UsageError(
      `${file} is not a benchline baseline (no "schema": "${BASELINE_SCHEMA}"); record one with \`benchline baseline record\``,
    );
  }
  const m = /^benchline\/baseline@(\d+)$/.exec(schema);
  if (!m) throw new UsageError(`${file} holds ${schema}, not a baseline (${BASELINE_SCHEMA})`);
  if (Number(m[1]) > 1) {
    throw new UsageError(
      `${file} was written by a newer benchline (${schema}); upgrade benchline to read it`,
    );
  }
  const parsed = baselineSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `${file} is not a valid baseline: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  return parsed.data as unknown as Baseline;
}

export async function readBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read baseline ${file}: ${readFailure(err)}; record one with \`benchline baseline record\``,
    );
  }
  return parseBaseline(text, file);
}
