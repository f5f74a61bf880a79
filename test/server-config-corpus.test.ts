/**
 * A corpus of nats-server configs written the ways nats-server's docs write them
 * (test/fixtures/server-configs): `nats-server -t` accepts each, benchline's reader reads each, and
 * `nats-server -t` accepts the wrapper benchline writes around each too (ports and store moved, for one
 * server, for a node of a local cluster, and with ports and store kept).
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findNatsServer } from "../src/server/binary.js";
import { configRecord, type NodeSettings, readUserConfig, renderWrapper } from "../src/server/user-config.js";
import { makeOperator, makePki } from "./helpers/credentials.js";
import { tempDir } from "./helpers/tmp.js";

const CORPUS = fileURLToPath(new URL("./fixtures/server-configs/", import.meta.url));
const files = (await readdir(CORPUS)).filter((f) => f.endsWith(".conf")).sort();

let dir: Awaited<ReturnType<typeof tempDir>>;
/** The corpus copied beside what some files need made first (certificates, an operator), and cwd. */
let root: string;
let env: NodeJS.ProcessEnv;
const bin = findNatsServer();

beforeAll(async () => {
  dir = await tempDir();
  root = join(dir.path, "corpus");
  await cp(CORPUS, root, { recursive: true });
  const generated = join(root, "generated");
  await mkdir(join(generated, "pki"), { recursive: true });
  await makePki(join(generated, "pki"));
  const op = await makeOperator(generated);
  await writeFile(join(generated, "operator.jwt"), op.operatorJwt);
  const preload = Object.entries(op.accountJwts).map(([key, jwt]) => `  ${key}: ${jwt}`);
  await writeFile(join(generated, "preload.conf"), `resolver_preload {\n${preload.join("\n")}\n}\n`);
  env = {
    ...process.env,
    BENCH_CORPUS_PASSWORD: "corpus-password",
    BENCH_CORPUS_SYSTEM_ACCOUNT: op.systemAccount,
  };
});
afterAll(() => dir[Symbol.asyncDispose]());

/** `nats-server -t -c FILE` from the corpus dir, as a user runs it beside the file: its reason, or "valid". */
function serverTest(file: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, ["-t", "-c", file], { cwd: root, env, timeout: 10_000 }, (err, stdout, stderr) =>
      resolve(err ? `${stderr}${stdout}`.trim() || err.message : "valid"),
    );
  });
}

describe("the server-config corpus", () => {
  it("holds a config for each block and way of writing the docs show", () => {
    expect(files).toEqual([
      "accounts.conf",
      "cluster.conf",
      "durations-sizes.conf",
      "gateway.conf",
      "includes.conf",
      "json-style.conf",
      "leafnodes.conf",
      "minimal.conf",
      "operator-full-resolver.conf",
      "operator.conf",
      "separators.conf",
      "tls.conf",
      "variables.conf",
      "websocket-mqtt.conf",
    ]);
  });

  it.each(files)(
    "%s: nats-server and benchline's reader accept it, and nats-server accepts the wrapper",
    async (name) => {
      const file = join(root, name);
      expect(await serverTest(file)).toBe("valid");
      const config = await readUserConfig(file);
      expect(config.top.size).toBeGreaterThan(0);
      expect(configRecord(config).sha256).toMatch(/^[0-9a-f]{64}$/);

      const node = (variant: string): NodeSettings => ({
        runDir: join(dir.path, "run", name, variant),
        storeDir: join(dir.path, "store"),
        port: -1,
        monitorPort: -1,
      });
      const variants: Array<[string, Parameters<typeof renderWrapper>[1], NodeSettings]> = [
        ["one server", { file }, node("one")],
        [
          "a cluster node",
          { file },
          {
            ...node("cluster"),
            serverName: "bl-1",
            cluster: { name: "bl", port: -1, routes: ["nats-route://127.0.0.1:7002"] },
          },
        ],
        ["ports and store kept", { file, keepPorts: true, keepStore: true }, node("kept")],
      ];
      for (const [variant, spec, settings] of variants) {
        const wrapper = await renderWrapper(config, spec, settings);
        if (!spec.keepPorts) expect(wrapper, variant).not.toMatch(/0\.0\.0\.0|:4222\b|: 4222\b/);
        await mkdir(settings.runDir, { recursive: true });
        const wrapperFile = join(settings.runDir, "nats-server.conf");
        await writeFile(wrapperFile, wrapper);
        expect(`${variant}: ${await serverTest(wrapperFile)}`).toBe(`${variant}: valid`);
      }
    },
  );
});
