/**
 * Chart specs: plain-JSON Chart.js configurations built from results. Both the PNG renderer and the HTML
 * report draw from these, so a test of the spec is a test of what either shows. Latency is in
 * milliseconds on the charts (people read "4 ms" faster than "4000 us").
 */
import type { ChartConfiguration, ChartType } from "chart.js";

export interface ChartMarks {
  /** Scales whose values are milliseconds of latency. */
  latencyAxes?: string[];
  /** Scales whose values are counts or rates (1.2k, 3M). */
  countAxes?: string[];
  /** The scale drawn as HdrHistogram's percentile axis (x = log10(1 / (1 - p))). */
  ninesAxis?: string;
  /** Shaded x ranges, e.g. the warmup. */
  bands?: Array<{ from: number; to: number; label: string; color?: string }>;
  /** Dashed vertical lines, e.g. the knee of a capacity curve. */
  lines?: Array<{ at: number; label: string; color?: string }>;
  /** Dashed horizontal lines on the y scale, e.g. an objective's limit. */
  levels?: Array<{ at: number; label: string; color?: string }>;
}

declare module "chart.js" {
  interface PluginOptionsByType<TType extends ChartType> {
    benchline?: ChartMarks;
  }
}

export interface ChartSpec {
  /** File stem of its PNG, e.g. "latency-pubAck". */
  name: string;
  title: string;
  config: ChartConfiguration;
}

/** A colour per series, the same across charts so a reader learns them once. */
export const COLOURS = {
  p50: "#1f77b4",
  p99: "#ff7f0e",
  max: "#d62728",
  published: "#1f77b4",
  consumed: "#2ca02c",
  errors: "#d62728",
  failed: "#9467bd",
  sent: "#aaaaaa",
  baseline: "#7f7f7f",
  candidate: "#1f77b4",
} as const;

const KIND_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"];

export function kindColour(index: number): string {
  return KIND_COLOURS[index % KIND_COLOURS.length]!;
}

export function baseOptions(title: string, subtitle?: string) {
  return {
    animation: false as const,
    responsive: false,
    maintainAspectRatio: false,
    parsing: false as const,
    plugins: {
      title: { display: true, text: title, font: { size: 16 } },
      subtitle: { display: subtitle !== undefined, text: subtitle ?? "" },
      legend: { position: "bottom" as const },
    },
  };
}

export function axisTitle(text: string) {
  return { display: true, text };
}

const STEPS = [1, 2, 5, 10];

/**
 * Bounds of a log axis at 1-2-5 values around the data, so the top and bottom carry a label
 * (Chart.js otherwise ends the axis at the data's max, unlabelled).
 */
export function logBounds(values: number[]): { min?: number; max?: number } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return {};
  const lo = Math.min(...positive);
  const hi = Math.max(...positive);
  const decade = (v: number) => 10 ** Math.floor(Math.log10(v));
  const min = decade(lo) * [...STEPS].reverse().find((s) => decade(lo) * s <= lo * (1 + 1e-9))!;
  const max = decade(hi) * STEPS.find((s) => decade(hi) * s >= hi * (1 - 1e-9))!;
  return { min, max: max > min ? max : min * 10 };
}
