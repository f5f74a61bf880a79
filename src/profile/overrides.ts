/** Flags that override a loaded profile (--duration, --rate, --workers), validated like profile values. */
import type { Profile } from "../contract/profile.js";
import { UsageError } from "../errors.js";
import { parseDurationMs } from "../util/units.js";
import { LIMITS } from "./resolve.js";
import { scaleOpRates } from "./scale-ops.js";

export interface ProfileOverrides {
  duration?: string;
  warmup?: string;
  rate?: number;
  workers?: number;
}

export function applyOverrides(profile: Profile, o: ProfileOverrides): Profile {
  const next: Profile = { ...profile, publishers: profile.publishers.map((p) => ({ ...p })) };
  if (o.duration !== undefined) {
    next.durationMs = parseDurationMs(o.duration, "--duration");
    if (next.durationMs <= 0) throw new UsageError("--duration must be above zero");
    next.messages = undefined;
    // A fault the shorter phase would cut off would read as one that never recovered.
    const cut = (profile.faults ?? []).find((f) => f.atMs + f.forMs > next.durationMs);
    if (cut)
      throw new UsageError(
        `--duration ${o.duration}: fault ${cut.name} lasts until ${(cut.atMs + cut.forMs) / 1000} s of the measured phase; give --duration of at least that, with time after it to recover`,
      );
  }
  if (o.warmup !== undefined) next.warmupMs = parseDurationMs(o.warmup, "--warmup");
  if (o.workers !== undefined) {
    if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > 64) {
      throw new UsageError(`--workers must be a whole number from 1 to 64, not ${o.workers}`);
    }
    next.workers = o.workers;
  }
  if (o.rate !== undefined && profile.tenants)
    throw new UsageError("--rate: a profile of tenants sets each tenant's rates; edit them in the profile");
  if (o.rate !== undefined) {
    if (!(o.rate > 0) || o.rate > LIMITS.maxRatePerSec) {
      throw new UsageError(
        `--rate must be above 0 and at most ${LIMITS.maxRatePerSec} msgs/s, not ${o.rate}`,
      );
    }
    // Keep the profile's mix: scale fixed rates to the new total, or split it by publisher count.
    const fixed = next.publishers.filter((p) => p.ratePerSec !== "max");
    const fixedTotal = fixed.reduce((n, p) => n + (p.ratePerSec as number), 0);
    const count = next.publishers.reduce((n, p) => n + p.count, 0);
    for (const p of next.publishers) {
      if (p.ratePerSec !== "max") p.ratePerSec = (p.ratePerSec * o.rate) / fixedTotal;
      else if (fixedTotal === 0) p.ratePerSec = (o.rate * p.count) / count;
    }
    // Without publishers the rate is the operation clients' (KV, objects, direct gets).
    if (count === 0) Object.assign(next, scaleOpRates(next, o.rate));
  }
  return next;
}
