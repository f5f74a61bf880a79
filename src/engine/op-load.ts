/** What the operation clients ask of the generator, for sizing threads: a request and its reply each. */
import type { Profile } from "../contract/profile.js";

export function opEventsPerSec(profile: Profile): number {
  const clients = [
    ...(profile.kv?.clients ?? []),
    ...(profile.objects?.clients ?? []),
    ...(profile.direct?.clients ?? []),
  ];
  let events = 0;
  for (const c of clients) {
    if (c.ratePerSec === "max") return Number.POSITIVE_INFINITY;
    events += c.ratePerSec * 2;
  }
  // A watcher receives every put of the watched bucket.
  const kv = profile.kv;
  if (kv?.watchers) {
    const puts = kv.clients.reduce(
      (n, c) => n + (c.ratePerSec === "max" ? 0 : (c.ratePerSec * (c.mix.put + c.mix.update)) / 100),
      0,
    );
    events += puts * kv.watchers.count;
  }
  return events;
}
