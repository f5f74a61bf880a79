/**
 * Names for OpenSLO documents. OpenSLO requires every implementation to take RFC 1123 labels (at most 63
 * characters, lowercase letters, digits and '-', alphanumeric at both ends); longer or other names are
 * only "encouraged", so benchline writes labels and nothing else.
 */
import { createHash } from "node:crypto";

export const NAME_MAX = 63;
/** Hex digits of the hash that keeps two shortened names apart. */
const HASH_CHARS = 8;

/** The prefix of benchline's annotation keys: OpenSLO asks a DNS subdomain (labels separated by dots). */
export const ANNOTATION_PREFIX = "benchline.dev/";

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, HASH_CHARS);

/** `s` as a label of at most `max` characters: cut, with a hash of the whole, when longer. */
function shorten(s: string, max: number): string {
  const label = slug(s);
  if (label === "") return `p-${hash(s)}`;
  if (label.length <= max) return label;
  return `${label.slice(0, max - HASH_CHARS - 1).replace(/-+$/, "")}-${hash(s)}`;
}

/**
 * The name of a document about `service`: the service's label, then `suffix` (e.g. `puback-p99`) whole,
 * the service's part shortened to make room. Deterministic: the same inputs give the same name, so
 * documents written again replace the ones before.
 */
export function openSloName(service: string, suffix?: string): string {
  if (suffix === undefined) return shorten(service, NAME_MAX);
  const tail = slug(suffix);
  return `${shorten(service, NAME_MAX - tail.length - 1)}-${tail}`;
}
