import { UsageError } from "../errors.js";

const durationUnitsMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30s", "2m", "1.5s", "250ms" or a bare number of seconds, to milliseconds. */
export function parseDurationMs(value: string | number, what: string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0)
      throw new UsageError(`${what}: ${value} is not a duration; use e.g. "30s"`);
    return value * 1000;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) throw new UsageError(`${what}: "${value}" is not a duration; use e.g. "500ms", "30s", "2m"`);
  return Number(match[1]) * durationUnitsMs[match[2] ?? "s"]!;
}

const sizeUnits: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** "128", "128B", "1KiB", "4MB" to bytes. */
export function parseSizeBytes(value: string | number, what: string): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0)
      throw new UsageError(`${what}: ${value} is not a size in bytes`);
    return value;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = sizeUnits[(match?.[2] || "b").toLowerCase()];
  if (!match || unit === undefined) {
    throw new UsageError(`${what}: "${value}" is not a size; use e.g. "128B", "1KiB", "4MiB"`);
  }
  return Math.round(Number(match[1]) * unit);
}

/** Human form of a duration in microseconds, for tables. */
export function formatUs(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)}s`;
  if (us >= 1000) return `${(us / 1000).toFixed(2)}ms`;
  return `${Math.round(us)}us`;
}

/** Human form of a byte count. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Human form of a rate, 12345 -> "12.3k". */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
