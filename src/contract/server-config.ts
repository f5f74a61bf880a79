/**
 * Which nats-server config an embedded server ran from: paths and hashes of the bytes read, never the
 * content, which may hold tokens and passwords. Two runs from the same files have the same hashes.
 */

/** One file: where it was read and the sha256 (hex) of its bytes. */
export interface ConfigFileRecord {
  path: string;
  sha256: string;
}

/** The user's config (`--server-config`, `config=`) and every file it includes. */
export interface ServerConfigRecord extends ConfigFileRecord {
  /** Included files at any depth, each once, in the order the server reads them; absent when none. */
  includes?: ConfigFileRecord[];
}
