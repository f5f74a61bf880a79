/**
 * Examples users copy must be safe to copy: benchline is installed from a source the user pins (a git
 * URL at a full commit sha, or a tarball with its hash), never by a bare registry name benchline does
 * not own (dependency confusion); downloads are checked against pinned hashes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

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
