/**
 * `benchline services` logs in as every other command does: the connection flags, NATS_* environment
 * and a token in the URL; a refusal is one line that names no secret.
 */

import { Svcm } from "@nats-io/services";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { NatsServer } from "../src/server/launcher.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";

const TOKEN = "svc-t0ken-5ecret-q7";

describe("benchline services on a server that wants a token", () => {
  it("lists the service with --token, NATS_TOKEN, a token in the URL or NATS_URL; a wrong token is exit 3, one line", async () => {
    await using server = await NatsServer.start({ auth: { token: TOKEN } });
    const host = new URL(server.clientUrl).host;
    const nc = await connect({ servers: server.clientUrl, token: TOKEN });
    // biome-ignore lint/suspicious/noExplicitAny: @nats-io/services is built on an older nats-core
    const svc = await new Svcm(nc as any).add({ name: "orders", version: "1.2.0" });
    svc.addEndpoint("create", { subject: "svc.orders.create", handler: (_err, m) => m.respond(m.data) });
    try {
      const ways: Array<[string, string[], NodeJS.ProcessEnv]> = [
        ["--token", ["--server", server.clientUrl, "--token", TOKEN], {}],
        ["NATS_TOKEN", ["--server", server.clientUrl], { NATS_TOKEN: TOKEN }],
        ["token in the URL", ["--server", `nats://${TOKEN}@${host}`], {}],
        ["NATS_URL with a token", [], { NATS_URL: `nats://${TOKEN}@${host}` }],
      ];
      for (const [way, args, env] of ways) {
        const r = await runCli(["services", "orders", ...args], { env });
        expect(r.stderr, way).toBe("");
        expect(r.code, way).toBe(0);
        expect(r.stdout, way).toMatch(
          /^orders 1\.2\.0 \(\w+\)\n {2}create: svc\.orders\.create \(queue q\)\n$/,
        );
      }
      const json = await runCli(["services", "--json", "--server", server.clientUrl], {
        env: { NATS_TOKEN: TOKEN },
      });
      expect(JSON.parse(json.stdout)).toMatchObject([
        { name: "orders", version: "1.2.0", endpoints: [{ name: "create", subject: "svc.orders.create" }] },
      ]);
      const refused = `error: nats://${host} refused the credentials (Authorization Violation); check the token, user/password, nkey or creds`;
      for (const args of [
        ["--server", `nats://wrong-t0ken-1@${host}`],
        ["--server", server.clientUrl, "--token", "wrong-t0ken-1"],
      ]) {
        const r = await runCli(["services", ...args, "--connect-timeout", "2s"]);
        expect(r.code).toBe(3);
        expect(expectOneLineError(r)).toBe(refused);
        expect(r.stdout + r.stderr).not.toContain("wrong-t0ken-1");
      }
      const both = await runCli(["services", "--server", `nats://${TOKEN}@${host}`, "--token", TOKEN]);
      expect(both.code).toBe(2);
      expect(expectOneLineError(both)).toBe(
        "error: the server URL carries credentials, and so does --token (a flag, NATS_* or --context): give them one way",
      );
    } finally {
      await svc.stop();
      await nc.close();
    }
  });

  it("--help lists the shared connection options; without a server it says how to name one", async () => {
    const help = await runCli(["services", "--help"]);
    for (const flag of [
      "--server",
      "--context",
      "--token",
      "--user",
      "--password",
      "--nkey",
      "--creds",
      "--tls-ca",
    ])
      expect(help.stdout).toContain(flag);
    const none = await runCli(["services"], { env: { NATS_URL: "" } });
    expect(none.code).toBe(2);
    expect(expectOneLineError(none)).toBe(
      "error: name the server: --server URL (or set NATS_URL, or --context NAME)",
    );
  });
});
