/** result.json. Pure: (result) => string. */
import type { RunResult } from "../engine/result.js";

export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
