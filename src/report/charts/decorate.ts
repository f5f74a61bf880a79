/**
 * What a chart needs beyond JSON: tick formatters and a small drawing plugin. One function, with no
 * imports and no outside references, because the HTML report inlines its source text
 * (`decorateChart.toString()`) so the PNG and the browser draw the same chart.
 *
 * It reads the hints a spec leaves in `options.plugins.benchline` (see spec.ts) and returns the config
 * with callbacks attached and the plugin registered on the chart.
 */

// biome-ignore lint/suspicious/noExplicitAny: Chart.js configs are deeply dynamic; this runs in the browser too.
type Loose = any;

export function decorateChart(config: Loose): Loose {
  const hints = config.options?.plugins?.benchline ?? {};
  const ms = (v: number): string => {
    if (v >= 1000) return `${+(v / 1000).toPrecision(3)} s`;
    if (v >= 1) return `${+v.toPrecision(3)} ms`;
    return `${+(v * 1000).toPrecision(3)} µs`;
  };
  const count = (v: number): string => {
    if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
    if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
    return `${+v.toPrecision(3)}`;
  };
  // On a log axis Chart.js puts a tick at every 1..9 of a decade; labels only at 1, 2 and 5 keep them apart.
  const oneTwoFive = (v: number): boolean => {
    const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6);
  };
  const nines = (x: number): string => {
    const p = 100 * (1 - 10 ** -x);
    if (x < 0.01) return "0%";
    return `${+p.toPrecision(Math.max(2, Math.round(x) + 1))}%`;
  };
  const near = (a: number, b: unknown) => typeof b === "number" && Math.abs(a - b) <= Math.abs(b) * 1e-6;
  for (const axis of hints.latencyAxes ?? []) {
    const scale = config.options.scales[axis];
    // Over many decades 1-2-5 crowds the axis: powers of ten then, and always the axis's ends, so the
    // highest value drawn sits under a label.
    const wide = scale.min > 0 && scale.max / scale.min > 1e4;
    const labelled = (v: number) =>
      near(v, scale.min) ||
      near(v, scale.max) ||
      (oneTwoFive(v) && (!wide || Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9));
    scale.ticks = {
      ...scale.ticks,
      // Chart.js would otherwise skip labels it thinks crowded, the top one among them.
      ...(scale.type === "logarithmic" && { autoSkip: false }),
      callback: (v: number) => (scale.type !== "logarithmic" || labelled(v) ? ms(v) : ""),
    };
  }
  for (const axis of hints.countAxes ?? []) {
    const scale = config.options.scales[axis];
    scale.ticks = { ...scale.ticks, callback: (v: number) => count(v) };
  }
  if (hints.ninesAxis) {
    // HdrHistogram's plot: x is log10(1 / (1 - percentile)), so every extra nine gets the same width.
    const scale = config.options.scales[hints.ninesAxis];
    scale.afterBuildTicks = (a: Loose) => {
      const stops = [0, Math.log10(2), 1, 2, 3, 4, 5, 6, 7].filter((x) => x <= a.max + 1e-9);
      a.ticks = stops.map((value) => ({ value }));
    };
    scale.ticks = { ...scale.ticks, callback: (v: number) => nines(v) };
  }
  const plugin = {
    id: "benchline",
    // Transparent PNGs read badly in viewers with dark backgrounds.
    beforeDraw(chart: Loose) {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
    beforeDatasetsDraw(chart: Loose, _args: unknown, opts: Loose) {
      const { ctx, chartArea, scales } = chart;
      const x = scales.x;
      ctx.save();
      ctx.font = "12px sans-serif";
      for (const band of opts.bands ?? []) {
        const left = Math.max(chartArea.left, x.getPixelForValue(band.from));
        const right = Math.min(chartArea.right, x.getPixelForValue(band.to));
        if (right <= left) continue;
        ctx.fillStyle = band.color ?? "rgba(0,0,0,0.06)";
        ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
        ctx.fillStyle = "#555555";
        ctx.textAlign = "center";
        // At the foot of the plot: latency curves run along the top. A band too narrow for its label
        // (a drain of milliseconds) has it beside, so every band is named.
        if (ctx.measureText(band.label).width < right - left)
          ctx.fillText(band.label, (left + right) / 2, chartArea.bottom - 8);
        else {
          ctx.textAlign = "right";
          ctx.fillText(band.label, left - 4, chartArea.bottom - 8);
        }
      }
      for (const line of opts.lines ?? []) {
        const px = x.getPixelForValue(line.at);
        if (px < chartArea.left || px > chartArea.right) continue;
        ctx.strokeStyle = line.color ?? "#d62728";
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(px, chartArea.top);
        ctx.lineTo(px, chartArea.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        // Label on the side with room, so it never runs off the plot; on white, so curves don't cross it.
        const w = ctx.measureText(line.label).width;
        const toLeft = px + 8 + w > chartArea.right;
        const textX = toLeft ? px - 8 - w : px + 8;
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(textX - 3, chartArea.top + 18, w + 6, 17);
        ctx.fillStyle = line.color ?? "#d62728";
        ctx.textAlign = "left";
        ctx.fillText(line.label, textX, chartArea.top + 31);
      }
      const y = scales.y;
      for (const level of opts.levels ?? []) {
        const py = y?.getPixelForValue(level.at);
        if (py === undefined || py < chartArea.top || py > chartArea.bottom) continue;
        ctx.strokeStyle = level.color ?? "#d62728";
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(chartArea.left, py);
        ctx.lineTo(chartArea.right, py);
        ctx.stroke();
        ctx.setLineDash([]);
        const w = ctx.measureText(level.label).width;
        // At the left, above the line (below it when at the top), where the curve starts low.
        const textY = py - 6 < chartArea.top + 14 ? py + 16 : py - 6;
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(chartArea.left + 5, textY - 13, w + 6, 17);
        ctx.fillStyle = level.color ?? "#d62728";
        ctx.textAlign = "left";
        ctx.fillText(level.label, chartArea.left + 8, textY);
      }
      ctx.restore();
    },
  };
  return { ...config, plugins: [...(config.plugins ?? []), plugin] };
}
