/** A side of `benchline ab`: a server URL, or an embedded server from `config=FILE` and/or `bin=PATH`. */
import type { RunOptions } from "../engine/run.js";
import { UsageError } from "../errors.js";
import { redactUrl } from "../profile/redact.js";
import { splitUrlCredentials, type UrlCredentials } from "../profile/url-credentials.js";
import { checkServerUrl, serverList } from "./connection-options.js";

/** Where one side's runs go, and how the reports name it. */
export interface AbTarget {
  /** As given, with any user:password@ in a URL redacted. */
  label: string;
  options: Pick<RunOptions, "servers" | "embedded">;
  /** A token or user and password the URLs carried, taken out of them. */
  credentials?: UrlCredentials;
}

const HOW =
  "a server URL (nats://host:4222), config=FILE (an embedded server from that nats-server.conf) or bin=PATH (from that nats-server binary), or config=FILE,bin=PATH";

export function parseAbTarget(text: string, flag: string): AbTarget {
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError(`${flag}: give ${HOW}`);
  if (!/^(config|bin)=/i.test(trimmed)) {
    const servers = serverList(trimmed) ?? [];
    if (/^[a-z]+=/i.test(trimmed) && !trimmed.includes("://"))
      throw new UsageError(`${flag} ${trimmed}: unknown target; give ${HOW}`);
    for (const url of servers) checkServerUrl(url);
    const bare = splitUrlCredentials(servers, flag);
    return {
      label: servers.map(redactUrl).join(","),
      options: { servers: bare.servers },
      ...(bare.credentials && { credentials: bare.credentials }),
    };
  }
  const parts = new Map<string, string>();
  for (const part of trimmed.split(",")) {
    const m = /^(config|bin)=(.+)$/i.exec(part.trim());
    if (!m) throw new UsageError(`${flag} ${trimmed}: "${part}" is not config=FILE or bin=PATH; give ${HOW}`);
    const key = m[1]!.toLowerCase();
    if (parts.has(key)) throw new UsageError(`${flag} ${trimmed}: ${key}= given twice`);
    parts.set(key, m[2]!);
  }
  const config = parts.get("config");
  return {
    label: trimmed,
    options: { embedded: { ...(config && { userConfig: { file: config } }), bin: parts.get("bin") } },
  };
}
