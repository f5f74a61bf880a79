/** Draws chart specs to PNG with Chart.js on @napi-rs/canvas (no system libraries needed). */
import { join } from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { Chart, registerables } from "chart.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { decorateChart } from "./decorate.js";
import type { ChartSpec } from "./spec.js";

export const PNG_WIDTH = 1200;
export const PNG_HEIGHT = 600;

let registered = false;

export function renderPng(spec: ChartSpec, width = PNG_WIDTH, height = PNG_HEIGHT): Buffer {
  if (!registered) {
    Chart.register(...registerables);
    registered = true;
  }
  const canvas = createCanvas(width, height);
  // Chart.js wants a DOM canvas; @napi-rs/canvas's 2D context is the part it draws through.
  const chart = new Chart(
    canvas.getContext("2d") as unknown as ConstructorParameters<typeof Chart>[0],
    decorateChart(structuredClone(spec.config)),
  );
  try {
    return canvas.toBuffer("image/png");
  } finally {
    chart.destroy();
  }
}

/** Writes each chart as <dir>/<name>.png; returns the file names. */
export async function writePngs(dir: string, specs: ChartSpec[]): Promise<string[]> {
  const files: string[] = [];
  for (const spec of specs) {
    const file = `${spec.name}.png`;
    await writeFileAtomic(join(dir, file), renderPng(spec));
    files.push(file);
  }
  return files;
}
