/**
 * The Kubernetes manifests and container file in docs/: parsed and checked field by field, decoded by
 * kubectl offline where it is installed (kustomize, and `set image --local`, which decodes every object
 * into its typed API struct), and their commands run for real: the agent's args join a control server,
 * the Job's args run a profile from the ConfigMap on that agent.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseProfileText } from "../src/profile/loader.js";
import { NatsServer } from "../src/server/launcher.js";
import { benchlineVersion } from "../src/version.js";
import { startAgent } from "./helpers/agents.js";
import { runCli } from "./helpers/cli.js";
import { writtenResult } from "./helpers/profiles.js";
import { tempDir } from "./helpers/tmp.js";

const dir = new URL("../docs/k8s/", import.meta.url).pathname;
const root = new URL("../", import.meta.url).pathname;
// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below
type Doc = any;
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
const docs: Array<{ file: string; doc: Doc }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return { file, doc: d.toJS() };
  }),
);
const byKind = (kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c.data]));
const image = `benchline:${benchlineVersion}`;
const kubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** What any pod template of ours must get right. */
function checkPod(name: string, labels: Record<string, string>, spec: Doc): void {
  expect(spec.securityContext.runAsNonRoot, name).toBe(true);
  const volumes = new Set(spec.volumes.map((v: Doc) => v.name));
  for (const v of spec.volumes) {
    if (v.configMap)
      expect(configMaps.has(v.configMap.name), `${name}: configMap ${v.configMap.name}`).toBe(true);
  }
  for (const c of spec.containers) {
    expect(c.image, name).toBe(image);
    expect(c.args[0], name).toMatch(/^(agent|run)$/);
    expect(c.resources.limits.cpu, name).toBeDefined();
    for (const m of c.volumeMounts) expect(volumes.has(m.name), `${name}: mount ${m.name}`).toBe(true);
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref) expect(configMaps.get(ref.name)?.[ref.key], `${name}: ${ref.name}.${ref.key}`).toBeDefined();
      const res = e.valueFrom?.resourceFieldRef;
      if (res) expect(spec.containers.map((x: Doc) => x.name)).toContain(res.containerName);
    }
    for (const f of c.envFrom ?? []) expect(configMaps.has(f.configMapRef.name)).toBe(true);
    // No secret value in a manifest: credentials come from mounted secrets, as file paths.
    for (const e of c.env ?? []) expect(e.name, name).not.toMatch(/TOKEN|PASSWORD/);
  }
  expect(Object.keys(labels).length).toBeGreaterThan(0);
}

/** The value of an env var of a container, resolved the way the kubelet would for this test. */
function envOf(c: Doc, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const f of c.envFrom ?? []) Object.assign(env, configMaps.get(f.configMapRef.name));
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return { ...env, ...extra };
}

const expand = (args: string[], env: Record<string, string>) =>
  args.map((a) => a.replace(/\$\((\w+)\)/g, (_, k: string) => env[k] ?? `$(${k})`));

describe("Kubernetes manifests (docs/k8s)", () => {
  it("hold the kinds kustomization.yaml lists, each of its API version", () => {
    const kustomization = parseAllDocuments(readFileSync(join(dir, "kustomization.yaml"), "utf8"))[0]!.toJS();
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
    expect(docs.map((d) => `${d.doc.apiVersion} ${d.doc.kind} ${d.doc.metadata.name}`).sort()).toEqual([
      "apps/v1 Deployment benchline-agent",
      "batch/v1 Job benchline-run",
      "v1 ConfigMap benchline-env",
      "v1 ConfigMap benchline-profiles",
      "v1 Namespace benchline",
    ]);
  });

  it("agents: a Deployment whose selector picks its own pods, spread over nodes, offering their CPU limit", () => {
    const [d] = byKind("Deployment");
    const labels = d.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    const anti =
      d.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0];
    expect(anti.podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
    expect(anti.podAffinityTerm.labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
    checkPod("agent", labels, d.spec.template.spec);
    const c = d.spec.template.spec.containers[0];
    expect(c.args).toEqual(["agent", "--name", "$(POD_NAME)", "--tag", "k8s", "--cpus", "$(CPU_LIMIT)"]);
    expect(c.env.find((e: Doc) => e.name === "CPU_LIMIT").valueFrom.resourceFieldRef.resource).toBe(
      "limits.cpu",
    );
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(10);
  });

  it("coordinator: a Job run once, on every agent of the Deployment's tag, with a profile benchline accepts", () => {
    const [j] = byKind("Job");
    expect(j.spec.backoffLimit).toBe(0);
    expect(j.spec.template.spec.restartPolicy).toBe("Never");
    checkPod("coordinator", j.spec.template.metadata.labels, j.spec.template.spec);
    const args: string[] = j.spec.template.spec.containers[0].args;
    expect(args.slice(0, 2)).toEqual(["run", "/etc/benchline/profiles/js-e2e.yaml"]);
    expect(args.join(" ")).toContain("--agents all --agent-tag k8s");
    const mount = j.spec.template.spec.containers[0].volumeMounts.find((m: Doc) => m.name === "profiles");
    expect(mount.mountPath).toBe("/etc/benchline/profiles");
    const profile = configMaps.get("benchline-profiles")["js-e2e.yaml"];
    const loaded = parseProfileText(profile, "js-e2e.yaml", {}).profile;
    expect(loaded.publishers[0]!.count % 6).toBe(0);
  });

  it.skipIf(!kubectl)(
    "kubectl builds them with kustomize and decodes every workload into its API type, offline",
    () => {
      const offline = { ...process.env, KUBECONFIG: "/dev/null" };
      const built = execFileSync("kubectl", ["kustomize", dir], { env: offline }).toString();
      const objects = parseAllDocuments(built).map((d) => d.toJS());
      expect(objects).toHaveLength(docs.length);
      for (const o of objects) if (o.kind !== "Namespace") expect(o.metadata.namespace).toBe("benchline");
      for (const [file, kind] of [
        ["agents.yaml", "Deployment"],
        ["coordinator-job.yaml", "Job"],
      ]) {
        const decoded = execFileSync(
          "kubectl",
          // Another image than the manifest's: kubectl prints an object only when it changed it.
          ["set", "image", "--local", "-o", "yaml", "-f", join(dir, file!), "*=benchline:decoded"],
          { env: offline },
        ).toString();
        const objects = parseAllDocuments(decoded).map((d) => d.toJS());
        expect(objects.map((o) => o.kind)).toEqual([kind]);
        expect(objects[0].spec.template.spec.containers[0].image).toBe("benchline:decoded");
      }
    },
  );

  it("the containers' commands work: the agent's args join a control server, the Job's args run on that agent", async () => {
    await using server = await NatsServer.start();
    await using tmp = await tempDir();
    const agent = byKind("Deployment")[0].spec.template.spec.containers[0];
    // The kubelet's part: the downward API values, and no secret mounted here (no credentials needed).
    const agentEnv = envOf(agent, {
      POD_NAME: "benchline-agent-7f9c-x2x4q",
      CPU_LIMIT: "2",
      BENCHLINE_CONTROL: server.clientUrl,
    });
    const { BENCHLINE_CONTROL_CREDS: _c, NATS_CREDS: _n, ...agentPlain } = agentEnv;
    const args = expand(agent.args, agentEnv);
    await using _agent = await startAgent(server.clientUrl, args[2]!, args.slice(3), agentPlain);

    const job = byKind("Job")[0].spec.template.spec.containers[0];
    const jobEnv = envOf(job, { NATS_URL: server.clientUrl, BENCHLINE_CONTROL: server.clientUrl });
    const { BENCHLINE_CONTROL_CREDS: _jc, NATS_CREDS: _jn, ...jobPlain } = jobEnv;
    const profile = join(tmp.path, "js-e2e.yaml");
    await writeFile(profile, configMaps.get("benchline-profiles")["js-e2e.yaml"]);
    const jobArgs = expand(job.args, jobEnv).map((a) =>
      a
        .replace("/etc/benchline/profiles/js-e2e.yaml", profile)
        .replace(/^\/artifacts$/, join(tmp.path, "artifacts")),
    );
    // The profile's load scaled down for a shared test machine.
    const cli = await runCli([...jobArgs, "--rate", "1200", "--warmup", "200ms", "--duration", "1s"], {
      env: jobPlain,
      cwd: tmp.path,
    });
    expect(cli.stderr).not.toMatch(/^error/m);
    expect(cli.code).toBe(0);
    const result = await writtenResult(tmp.path);
    expect(result.env.agents!.map((a) => [a.name, a.cpus])).toEqual([["benchline-agent-7f9c-x2x4q", 2]]);
    expect(result.counts.consumed).toBe(result.counts.published);
  });
});

describe("docs/Containerfile", () => {
  const text = readFileSync(new URL("../docs/Containerfile", import.meta.url), "utf8");

  it("copies only what exists, runs the built CLI as a non-root user, tagged as the manifests' image", () => {
    for (const m of text.matchAll(/^COPY (?!--from)(.+)$/gm)) {
      const sources = m[1]!.trim().split(/\s+/).slice(0, -1);
      for (const s of sources) expect(existsSync(join(root, s)), s).toBe(true);
    }
    expect(text).toMatch(/^USER node$/m);
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(text)![1]!) as string[];
    expect(entry).toEqual(["node", "/opt/benchline/dist/src/cli.js"]);
    // The build compiles to dist/ as npm run build does, and dist/src/cli.js is what the entry point runs.
    expect(existsSync(join(root, "dist/src/cli.js"))).toBe(true);
    expect(text).toContain(`-t ${image} .`);
    // The Node base image by the digest the user passes (test/docs-safety.test.ts checks it is one).
    expect(text.match(/^FROM (\S+)/gm)).toEqual(["FROM ${NODE_IMAGE}", "FROM ${NODE_IMAGE}"]);
    expect(text).toMatch(/^ARG NODE_IMAGE$/m);
  });
});
