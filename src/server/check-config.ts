/** `nats-server -t -c FILE`: the server's own judgement of a config, before anything starts from it. */
import { execFile } from "node:child_process";

/** The server's reason on one line, without its "nats-server: " prefix. */
export function serverReason(output: string): string {
  return output
    .split("\n")
    .map((line) =>
      line
        .replace(/^\[\d+\] \S+ \S+ (\[\w+\] )?/, "")
        .replace(/^nats-server: /, "")
        .trim(),
    )
    .filter(Boolean)
    .join("; ");
}

/**
 * Undefined when the server accepts the file, else its reason. The check runs in benchline's own
 * working directory and environment, as the server will: relative paths and `$VAR`s resolve alike.
 */
export function testConfig(bin: string, file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(bin, ["-t", "-c", file], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (!err) {
        resolve(undefined);
        return;
      }
      resolve(serverReason(`${stderr}\n${stdout}`) || err.message);
    });
  });
}
