/**
 * Credentials written into server URLs, as the nats CLI and the Go client take them: nats://TOKEN@host
 * and nats://USER:PASSWORD@host. nats.js ignores them, so benchline takes them out of the URLs it dials
 * and hands them to the client as a token or a user and password, the same as the flags would.
 */
import { UsageError } from "../errors.js";
import { REDACTED, redactUrl } from "./redact.js";

/** What the URLs carried; undefined fields were not there. */
export interface UrlCredentials {
  token?: string;
  user?: string;
  password?: string;
}

const USERINFO = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)([^@/]*)@/i;

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The URLs without user info, and the credentials they carried. Every URL that carries some must carry
 * the same, since one connection takes one set to every server. A "[redacted]@" left by a stored
 * profile (a baseline's) is dropped: the credentials come again from flags or the environment.
 */
export function splitUrlCredentials(
  urls: readonly string[],
  where: string,
): { servers: string[]; credentials?: UrlCredentials } {
  let credentials: UrlCredentials | undefined;
  let first: string | undefined;
  const servers = urls.map((url) => {
    const m = USERINFO.exec(url);
    if (!m) return url;
    const bare = `${m[1]}${url.slice(m[0].length)}`;
    const info = m[2]!;
    if (info === "" || info === REDACTED) return bare;
    const colon = info.indexOf(":");
    const found: UrlCredentials =
      colon < 0
        ? { token: decode(info) }
        : { user: decode(info.slice(0, colon)), password: decode(info.slice(colon + 1)) };
    if (found.user === "")
      throw new UsageError(
        `${where}: ${redactUrl(url)} has a password and no user; write nats://USER:PASSWORD@host, or nats://TOKEN@host`,
      );
    if (
      credentials &&
      (credentials.token !== found.token ||
        credentials.user !== found.user ||
        credentials.password !== found.password)
    )
      throw new UsageError(
        `${where}: ${redactUrl(first!)} and ${redactUrl(url)} carry different credentials; benchline logs in to every server the same way: give them once`,
      );
    credentials = found;
    first ??= url;
    return bare;
  });
  return { servers, ...(credentials && { credentials }) };
}
