/** `--rate` for a profile of operation clients: the new total split as the profile's rates are. */
import type { Profile } from "../contract/profile.js";

type Rated = { count: number; ratePerSec: number | "max" };

function scale<T extends Rated>(clients: T[], factor: number | undefined, perClient: number): T[] {
  return clients.map((c) => ({
    ...c,
    ratePerSec: c.ratePerSec === "max" || factor === undefined ? perClient * c.count : c.ratePerSec * factor,
  }));
}

export function scaleOpRates(profile: Profile, rate: number): Pick<Profile, "kv" | "objects" | "direct"> {
  const all: Rated[] = [
    ...(profile.kv?.clients ?? []),
    ...(profile.objects?.clients ?? []),
    ...(profile.direct?.clients ?? []),
  ];
  const fixed = all.reduce((n, c) => n + (c.ratePerSec === "max" ? 0 : c.ratePerSec), 0);
  const count = all.reduce((n, c) => n + c.count, 0);
  // Fixed rates keep their proportions; with none fixed, the rate is split by client count.
  const factor = fixed > 0 ? rate / fixed : undefined;
  const perClient = count > 0 ? rate / count : 0;
  return {
    ...(profile.kv && { kv: { ...profile.kv, clients: scale(profile.kv.clients, factor, perClient) } }),
    ...(profile.objects && {
      objects: { ...profile.objects, clients: scale(profile.objects.clients, factor, perClient) },
    }),
    ...(profile.direct && {
      direct: { ...profile.direct, clients: scale(profile.direct.clients, factor, perClient) },
    }),
  };
}
