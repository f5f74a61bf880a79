/** Draws chart specs to PNG with Chart.js on @napi-rs/canvas (no system libraries needed). */
import { createRequire } from "node:module";
import { join } from "node:path";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { decorateChart } from "./decorate.js";
import type { ChartSpec } from "./spec.js";

export const PNG_WIDTH = 1200;
export const PNG_HEIGHT = 600;

type Drawing = {
  createCanvas: typeof import("@napi-rs/canvas").createCanvas;
  Chart: typeof import("chart.js").Chart;
};
let drawing: Drawing | undefined;

/**
 * Chart.js and the canvas, loaded on the first chart drawn: together they are a tenth of a second of
 * every start, and most commands (--no-charts, errors, JSON) never draw.
 */
function loadDrawing(): Drawing {
  if (drawing) return drawing;
  const require = createRequire(import.meta.url);
  const { createCanvas } = require("@napi-rs/canvas") as typeof import("@napi-rs/canvas");
  const { Chart, registerables } = require("chart.js") as typeof import("chart.js");
  Chart.register(...registerables);
  drawing = { createCanvas, Chart };
  return drawing;
}

export function renderPng(spec: ChartSpec, width = PNG_WIDTH, height = PNG_HEIGHT): Buffer {
  const { createCanvas, Chart } = loadDrawing();
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
