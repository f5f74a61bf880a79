/**
 * Renders nats-server configuration. This is the one file that speaks the server's snake_case
 * config names; everything else passes the camelCase ServerConfig.
 */

/** Authentication the embedded server requires from clients. */
export type ServerAuth = { token: string } | { user: string; password: string };

/** What benchline needs to say to one nats-server process. */
export interface ServerConfig {
  serverName: string;
  host: string;
  /** -1 lets the server pick a free port. */
  port: number;
  monitorPort: number;
  storeDir: string;
  portsFileDir: string;
  jsMaxMemoryBytes?: number;
  jsMaxFileBytes?: number;
  auth?: ServerAuth;
  cluster?: { name: string; port: number; routes: string[] };
}

/** Quotes a value for the nats-server config format (a JSON string is valid there). */
const q = (value: string) => JSON.stringify(value);

export function renderServerConfig(c: ServerConfig): string {
  const lines = [
    `server_name: ${q(c.serverName)}`,
    `listen: ${q(`${c.host}:${c.port}`)}`,
    `http: ${q(`${c.host}:${c.monitorPort}`)}`,
    `ports_file_dir: ${q(c.portsFileDir)}`,
    "jetstream {",
    `  store_dir: ${q(c.storeDir)}`,
  ];
  if (c.jsMaxMemoryBytes !== undefined) lines.push(`  max_memory_store: ${c.jsMaxMemoryBytes}`);
  if (c.jsMaxFileBytes !== undefined) lines.push(`  max_file_store: ${c.jsMaxFileBytes}`);
  lines.push("}");
  if (c.auth && "token" in c.auth) {
    lines.push("authorization {", `  token: ${q(c.auth.token)}`, "}");
  } else if (c.auth) {
    lines.push("authorization {", `  user: ${q(c.auth.user)}`, `  password: ${q(c.auth.password)}`, "}");
  }
  if (c.cluster) {
    lines.push(
      "cluster {",
      `  name: ${q(c.cluster.name)}`,
      `  listen: ${q(`${c.host}:${c.cluster.port}`)}`,
      `  routes: [${c.cluster.routes.map(q).join(", ")}]`,
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The ports file nats-server writes once it listens (snake_case names are the server's). */
export interface PortsFile {
  clientUrls: string[];
  monitorUrls: string[];
  clusterUrls: string[];
}

export function parsePortsFile(text: string): PortsFile {
  const raw = JSON.parse(text) as { nats?: string[]; monitoring?: string[]; cluster?: string[] };
  return { clientUrls: raw.nats ?? [], monitorUrls: raw.monitoring ?? [], clusterUrls: raw.cluster ?? [] };
}
