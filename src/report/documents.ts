/**
 * The four kinds of file benchline writes and `benchline report` reads back: a run result, a baseline,
 * a compare and a capacity search, told apart by their `schema` field.
 */
import { readFile } from "node:fs/promises";
import type { Baseline } from "../baseline/format.js";
import { BASELINE_SCHEMA } from "../baseline/format.js";
import { COMPARE_SCHEMA, type CompareReport } from "../baseline/report-model.js";
import { parseBaseline } from "../baseline/store.js";
import { RUN_SCHEMA, type RunResult } from "../contract/result.js";
import { CAPACITY_SCHEMA, type CapacityResult } from "../engine/capacity.js";
import { UsageError } from "../errors.js";
import { readFailure } from "../util/files.js";
import { jsonFailure } from "../util/json-failure.js";

export type BenchlineDocument =
  | { kind: "run"; doc: RunResult }
  | { kind: "baseline"; doc: Baseline }
  | { kind: "compare"; doc: CompareReport }
  | { kind: "capacity"; doc: CapacityResult };

export async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${readFailure(err)}`);
  }
}

function parseJson(text: string, file: string): { schema?: unknown } {
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return doc as { schema?: unknown };
  } catch (err) {
    throw new UsageError(`${file} is not JSON (${jsonFailure(err)}); pass a file benchline wrote`);
  }
  throw new UsageError(`${file} is not a JSON object; pass a file benchline wrote`);
}

function shapeError(file: string, kind: string): UsageError {
  return new UsageError(`${file} says it is a ${kind} but lacks its fields; was it edited by hand?`);
}

export function parseDocument(text: string, file: string): BenchlineDocument {
  const doc = parseJson(text, file);
  const has = (...keys: string[]) => keys.every((k) => k in doc);
  switch (doc.schema) {
    case RUN_SCHEMA:
      if (!has("profile", "env", "throughput", "counts", "latency", "intervals"))
        throw shapeError(file, "run result");
      return { kind: "run", doc: doc as RunResult };
    case BASELINE_SCHEMA:
      return { kind: "baseline", doc: parseBaseline(text, file) };
    case COMPARE_SCHEMA:
      if (!has("baseline", "candidate", "metrics", "thresholds")) throw shapeError(file, "compare report");
      return { kind: "compare", doc: reviveIntervals(doc as unknown as CompareReport) };
    case CAPACITY_SCHEMA:
      if (!has("profile", "settings", "steps")) throw shapeError(file, "capacity result");
      return { kind: "capacity", doc: doc as unknown as CapacityResult };
    default:
      throw new UsageError(
        `${file} is not a benchline result, baseline, compare or capacity file (schema ${JSON.stringify(doc.schema ?? null)}); pass result.json, a baseline, compare.json or capacity.json`,
      );
  }
}

/**
 * JSON has no NaN or Infinity: both were written as null. An interval with a number below and null above
 * is the unbounded one ([-100%, +inf], too few runs for the confidence asked); null on both sides, none.
 */
function reviveIntervals(report: CompareReport): CompareReport {
  for (const m of report.metrics ?? []) {
    const iv = m.interval as { low: number | null; high: number | null } | undefined;
    if (!iv) continue;
    const low = iv.low ?? Number.NaN;
    m.interval = {
      low,
      high: iv.high ?? (Number.isNaN(low) ? Number.NaN : Number.POSITIVE_INFINITY),
    };
  }
  return report;
}

export async function readDocument(file: string): Promise<BenchlineDocument> {
  return parseDocument(await readText(file, "report input"), file);
}

/** A run result, for compare --candidate. */
export async function readRunResult(file: string, what: string): Promise<RunResult> {
  const parsed = parseDocument(await readText(file, what), file);
  if (parsed.kind !== "run")
    throw new UsageError(`${what} ${file} is not a benchline run result (schema ${RUN_SCHEMA})`);
  return parsed.doc;
}
