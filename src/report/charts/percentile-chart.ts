/**
 * Latency against percentile on HdrHistogram's "nines" axis: x = log10(1 / (1 - p)), so 90%, 99%,
 * 99.9% are evenly spaced and the tail gets the room it deserves. Drawn from the encoded histograms
 * themselves, never from the handful of percentiles a result stores.
 */
import { decodeHistogram, type Histogram } from "../../metrics/histogram.js";
import { axisTitle, baseOptions, type ChartSpec, kindColour, logBounds } from "./spec.js";

const STEP = 0.05;

/** Points {x: log10(1/(1-p)), y: latency ms} up to the last percentile the sample count resolves, then the max. */
export function percentilePoints(h: Histogram): Array<{ x: number; y: number }> {
  if (h.totalCount === 0) return [];
  const xMax = Math.log10(h.totalCount);
  const points: Array<{ x: number; y: number }> = [];
  for (let i = 0; i * STEP < xMax; i++) {
    const x = i * STEP;
    points.push({ x, y: h.getValueAtPercentile(100 * (1 - 10 ** -x)) / 1000 });
  }
  points.push({ x: Math.max(xMax, STEP), y: h.maxValue / 1000 });
  return points;
}

export interface PercentileSeries {
  label: string;
  /** Encoded histogram (compressed base64). */
  hdr: string;
  colour?: string;
  dashed?: boolean;
}

export function percentileChart(
  name: string,
  title: string,
  series: PercentileSeries[],
  subtitle = "HdrHistogram percentile distribution",
): ChartSpec {
  const options = baseOptions(title, subtitle);
  const datasets = series.map((s, i) => {
    const h = decodeHistogram(s.hdr);
    const data = percentilePoints(h);
    const count = h.totalCount;
    h.destroy();
    const colour = s.colour ?? kindColour(i);
    return {
      label: `${s.label} (${count} samples)`,
      data,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: s.dashed ? [6, 4] : [],
      pointRadius: 0,
      borderWidth: 2,
    };
  });
  const xMax = Math.max(1, ...datasets.flatMap((d) => d.data.map((p) => p.x)));
  return {
    name,
    title,
    config: {
      type: "line",
      data: { datasets },
      options: {
        ...options,
        // Room for the last tick's label ("99.999%"), centred on the axis's right end.
        layout: { padding: { right: 32 } },
        plugins: { ...options.plugins, benchline: { latencyAxes: ["y"], ninesAxis: "x" } },
        scales: {
          x: { type: "linear", min: 0, max: Math.ceil(xMax), title: axisTitle("percentile") },
          y: {
            type: "logarithmic",
            ...logBounds(datasets.flatMap((d) => d.data.map((p) => p.y))),
            title: axisTitle("latency (log scale)"),
          },
        },
      },
    },
  };
}
