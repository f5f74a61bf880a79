/** result.json. Pure: (result) => string. */
import type { RunResult } from "../contract/result.js";

export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
