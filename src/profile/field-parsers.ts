/**
 * The zod forms a profile writes durations and sizes in, and the parsers that turn them into numbers
 * with errors that name the file and the key path ("p.yaml: warmup: ..."). One copy, for every
 * section of the profile.
 */
import { z } from "zod";
import { UsageError } from "../errors.js";
import { parseDurationMs, parseSizeBytes } from "../util/units.js";

export const durationInput = z
  .union([z.string(), z.number().nonnegative()])
  .describe('a duration: "250ms", "30s", "2m", or a number of seconds');
export const sizeInput = z
  .union([z.string(), z.number().int().nonnegative()])
  .describe('a size: 128, "128B", "1KiB", "1MiB"');

export function fieldParsers(file: string) {
  const fail = (path: string, message: string): never => {
    throw new UsageError(`${file}: ${path}: ${message}`);
  };
  const parsed =
    <T>(parse: (value: string | number, what: string) => T) =>
    (value: string | number, path: string): T => {
      try {
        return parse(value, path);
      } catch (err) {
        return fail(path, (err as Error).message.replace(`${path}: `, ""));
      }
    };
  return { fail, ms: parsed(parseDurationMs), bytes: parsed(parseSizeBytes) };
}
