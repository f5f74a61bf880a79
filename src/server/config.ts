/**
 * Renders nats-server configuration. This is the one file that speaks the server's snake_case
 * config names; everything else passes the camelCase ServerConfig.
 */

/** A user of an account: who may publish and subscribe to what. */
export interface AccountUser {
  user: string;
  password: string;
  publish?: string[];
  subscribe?: string[];
}

/** An isolated account (a tenant): its users, and JetStream for it. */
export interface AccountConfig {
  name: string;
  users: AccountUser[];
  jetstream: boolean;
}

/** Authentication the embedded server requires from clients. */
export type ServerAuth =
  | { token: string }
  | { user: string; password: string }
  /** nkey users, by public key (U...): the server checks a signature of its nonce. */
  | { nkeys: string[] }
  /** Decentralized (JWT) auth: the operator's JWT and every account's JWT preloaded into a memory resolver. */
  | { operatorJwt: string; systemAccount: string; accountJwts: Record<string, string> }
  /** Accounts, each isolated; the system account by name; clients without credentials as `noAuthUser`. */
  | { accounts: AccountConfig[]; systemAccount: string; noAuthUser?: string };

/** TLS on the client port; `verify` asks clients for a certificate signed by `caFile` (mutual TLS). */
export interface ServerTls {
  certFile: string;
  keyFile: string;
  caFile?: string;
  verify: boolean;
}

/** A websocket listener for clients (browsers, and benchline's `transport: websocket`). */
export interface ServerWebsocket {
  /** -1 lets the server pick a free port. */
  port: number;
  /** wss:// with this certificate; plain ws:// (no_tls) without. */
  tls?: Pick<ServerTls, "certFile" | "keyFile">;
}

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
  maxPayloadBytes?: number;
  auth?: ServerAuth;
  tls?: ServerTls;
  websocket?: ServerWebsocket;
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
  if (c.maxPayloadBytes !== undefined) lines.push(`max_payload: ${c.maxPayloadBytes}`);
  if (c.auth) lines.push(...renderAuth(c.auth));
  if (c.tls) {
    lines.push("tls {", `  cert_file: ${q(c.tls.certFile)}`, `  key_file: ${q(c.tls.keyFile)}`);
    if (c.tls.caFile) lines.push(`  ca_file: ${q(c.tls.caFile)}`);
    if (c.tls.verify) lines.push("  verify: true");
    lines.push("}");
  }
  if (c.websocket) {
    lines.push("websocket {", `  listen: ${q(`${c.host}:${c.websocket.port}`)}`);
    if (c.websocket.tls)
      lines.push(
        "  tls {",
        `    cert_file: ${q(c.websocket.tls.certFile)}`,
        `    key_file: ${q(c.websocket.tls.keyFile)}`,
        "  }",
      );
    else lines.push("  no_tls: true");
    lines.push("}");
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

const list = (values: string[]) => `[${values.map(q).join(", ")}]`;

function renderAuth(auth: ServerAuth): string[] {
  if ("token" in auth) return ["authorization {", `  token: ${q(auth.token)}`, "}"];
  if ("password" in auth)
    return ["authorization {", `  user: ${q(auth.user)}`, `  password: ${q(auth.password)}`, "}"];
  if ("nkeys" in auth)
    return ["authorization {", `  users: [${auth.nkeys.map((k) => `{nkey: ${q(k)}}`).join(", ")}]`, "}"];
  if ("operatorJwt" in auth) {
    return [
      `operator: ${q(auth.operatorJwt)}`,
      `system_account: ${q(auth.systemAccount)}`,
      "resolver: MEMORY",
      "resolver_preload {",
      ...Object.entries(auth.accountJwts).map(([key, jwt]) => `  ${key}: ${q(jwt)}`),
      "}",
    ];
  }
  const lines = ["accounts {"];
  for (const a of auth.accounts) {
    lines.push(`  ${q(a.name)} {`);
    if (a.jetstream) lines.push("    jetstream: enabled");
    lines.push("    users: [");
    for (const u of a.users) {
      const perms: string[] = [];
      if (u.publish) perms.push(`publish: ${list(u.publish)}`);
      if (u.subscribe) perms.push(`subscribe: ${list(u.subscribe)}`);
      lines.push(
        `      {user: ${q(u.user)}, password: ${q(u.password)}${perms.length ? `, permissions: {${perms.join(", ")}}` : ""}}`,
      );
    }
    lines.push("    ]", "  }");
  }
  lines.push("}", `system_account: ${q(auth.systemAccount)}`);
  if (auth.noAuthUser) lines.push(`no_auth_user: ${q(auth.noAuthUser)}`);
  return lines;
}

/** The ports file nats-server writes once it listens (snake_case names are the server's). */
export interface PortsFile {
  clientUrls: string[];
  monitorUrls: string[];
  clusterUrls: string[];
  /** ws:// or wss:// URLs of the websocket listener, when there is one. */
  websocketUrls: string[];
}

export function parsePortsFile(text: string): PortsFile {
  const raw = JSON.parse(text) as {
    nats?: string[];
    monitoring?: string[];
    cluster?: string[];
    websocket?: string[];
  };
  return {
    clientUrls: raw.nats ?? [],
    monitorUrls: raw.monitoring ?? [],
    clusterUrls: raw.cluster ?? [],
    websocketUrls: raw.websocket ?? [],
  };
}
