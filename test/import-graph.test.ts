/**
 * The layers only import downward: no import loop anywhere in src/ or workers/, type imports included
 * (a type loop still ties the modules' meanings together), and no file over 400 lines.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

const files = [...filesUnder("src"), ...filesUnder("workers")].map(normalize);
const known = new Set(files);

/** Every relative import and export-from of a file, as paths of this tree. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gs)) {
    const target = normalize(join(dirname(file), m[1]!.replace(/\.js$/, ".ts")));
    if (known.has(target)) out.push(target);
  }
  return out;
}

/** Strongly connected components with more than one file (Tarjan). */
function importLoops(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const loops: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1) loops.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return loops;
}

describe("the import graph of src/ and workers/", () => {
  it("finds a loop where there is one (the checker itself)", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(importLoops(g)).toEqual([["a", "b", "c"]]);
  });

  it("has no import loop, type imports included", () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const loops = importLoops(graph).map((l) => l.map((f) => relative(".", f)).join(" -> "));
    expect(loops).toEqual([]);
  });

  it("has no file over 400 lines", () => {
    const long = files
      .map((f) => [f, readFileSync(f, "utf8").split("\n").length] as const)
      .filter(([, n]) => n > 400)
      .map(([f, n]) => `${f}: ${n}`);
    expect(long).toEqual([]);
  });
});
