import { readFileSync } from "node:fs";

/** benchline's own version, from package.json (two levels up from dist/src or src). */
export const benchlineVersion: string = (() => {
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "benchline" && pkg.version) return pkg.version;
    } catch {
      // try the next
    }
  }
  return "0.0.0";
})();
