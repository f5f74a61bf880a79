/**
 * Examples users copy must be safe to copy: benchline is installed from a source the user pins (a git
 * URL at a full commit sha, or a tarball with its hash), never by a bare registry name benchline does
 * not own (dependency confusion); downloads are checked against pinned hashes; container images come
 * by digest or are the image the user builds, pulled from the user's own registry.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

function textFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return textFiles(path);
    return /\.(ya?ml|md|json|sh)$|Containerfile$/.test(name) ? [path] : [];
  });
}

const files = ["README.md", ...textFiles("docs")];

describe("examples that are safe to copy", () => {
  it.each(files)("%s installs benchline only from a pinned source", (file) => {
    const lines = readFileSync(file, "utf8").split("\n");
    for (const line of lines) {
      const install = /\bnpm (?:install|i|add)\b(.*)$/.exec(line);
      if (!install || /^\s*#/.test(line) || /`npm install benchline`/.test(line)) continue;
      const args = install[1]!.split(/\s+/).filter((a) => a && !a.startsWith("-"));
      for (const arg of args) {
        const spec = arg.replace(/^["']|["']$/g, "");
        // A bare name (benchline, benchline@1) is what dependency confusion takes over.
        expect(spec, `${file}: ${line.trim()}`).not.toMatch(/^benchline(@[^/]*)?$/);
        if (/^git\+/.test(spec))
          expect(spec, `${file}: ${line.trim()}`).toMatch(/#([0-9a-f]{40}|\$\{?BENCHLINE_COMMIT\}?)$/);
      }
    }
  });

  it("the CI example pins a full commit and checks every download's sha256", () => {
    const ci = readFileSync("docs/ci-example.yml", "utf8");
    expect(ci).toMatch(/BENCHLINE_COMMIT: [0-9a-f]{40}/);
    expect(ci.match(/npm install --no-save "git\+\$\{BENCHLINE_GIT\}#\$\{BENCHLINE_COMMIT\}"/g)).toHaveLength(
      3,
    );
    const downloads = ci.match(/curl [^\n]*/g) ?? [];
    if (downloads.length > 0) expect(ci).toContain("sha256sum -c");
  });
});

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const containerfile = readFileSync("docs/Containerfile", "utf8");
/** The tag the Containerfile's build command gives the image: the one image benchline's docs may name bare. */
const builtTag = /-t (\S+) \.$/m.exec(containerfile)?.[1];

describe("images that are safe to pull", () => {
  it("docs/Containerfile builds FROM a base image the user passes by digest, with no default to fall back on", () => {
    const args = new Map(
      [...containerfile.matchAll(/^ARG (\w+)(?:=(.*))?$/gm)].map((m) => [m[1]!, m[2]] as const),
    );
    const stages = new Set<string>();
    const froms = [...containerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gim)];
    expect(froms.length).toBeGreaterThan(0);
    for (const [, image, stage] of froms) {
      const arg = /^\$\{?(\w+)\}?$/.exec(image!)?.[1];
      if (arg) {
        // Declared, and with no default: a build that forgets it fails instead of pulling a moving tag.
        expect(args.has(arg), `ARG ${arg}`).toBe(true);
        expect(args.get(arg), `ARG ${arg} has a default`).toBeUndefined();
      } else if (!stages.has(image!)) {
        expect(image, "a base image by digest").toMatch(DIGEST);
      }
      if (stage) stages.add(stage);
    }
    // Every build command shown passes that base image by digest.
    const builds = containerfile.match(/^# +(?:docker|podman) build .*$/gm) ?? [];
    expect(builds.length).toBeGreaterThan(0);
    for (const b of builds) expect(b).toMatch(/--build-arg NODE_IMAGE=\S+@sha256:\S+ /);
  });

  it.each(files.filter((f) => f.endsWith(".md")))(
    "%s builds docs/Containerfile only with a pinned base image",
    (file) => {
      // A command continued with a trailing backslash is one command.
      const text = readFileSync(file, "utf8").replace(/\\\n\s*/g, " ");
      for (const line of text
        .split("\n")
        .filter((l) => /\b(?:docker|podman) build\b.*docs\/Containerfile/.test(l)))
        expect(line, `${file}: ${line.trim()}`).toMatch(/--build-arg NODE_IMAGE=\S+@sha256:\S+/);
    },
  );

  it("the Kubernetes manifests run the image the user builds, which kustomize points at the user's registry", () => {
    expect(builtTag).toMatch(/^benchline:\S+$/);
    const dir = "docs/k8s";
    const images = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) =>
        [...readFileSync(join(dir, f), "utf8").matchAll(/^\s*image:\s*(\S+)/gm)].map((m) => m[1]!),
      );
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) if (!DIGEST.test(image)) expect(image).toBe(builtTag);
    const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as {
      images?: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>;
    };
    const [name] = builtTag!.split(":");
    const entry = kustomization.images?.find((i) => i.name === name);
    expect(entry, "an images: entry that sends the nodes to the user's registry").toBeDefined();
    // A registry host (a dot or a port in the first part), not a bare name a public registry resolves.
    expect(entry!.newName).toMatch(/^[a-z0-9.-]+(?:\.[a-z0-9-]+|:\d+)\/\S+$/);
    expect(entry!.digest ?? entry!.newTag).toBeDefined();
    expect(entry!.newTag).not.toBe("latest");
  });

  it.each(files)("%s names no :latest image", (file) => {
    expect(readFileSync(file, "utf8")).not.toMatch(/[\w./-]+:latest\b/);
  });
});
