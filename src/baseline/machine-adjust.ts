/**
 * The machine control's statistics: latency at the baseline's machine speed by regression adjustment
 * on the log scale, and the test and interval that hold over every slope the runs leave plausible.
 * Why and when it applies: machine-control.ts; the method in full: docs/compare-in-ci.md.
 */
import { tQuantile } from "./probability.js";
import { hodgesLehmannChange, mannWhitneyPOfU, mannWhitneyU, rankIntervalIndex } from "./stats.js";

/** A metric's values at the baseline's machine speed, the slope that took them there, and its fit. */
export interface Adjusted {
  base: number[];
  cand: number[];
  /** d ln(metric) / d ln(control), pooled within the sides and floored at 0. */
  slope: number;
  /** The least-squares slope before the floor. */
  fittedSlope: number;
  /** Its standard error: residual sd over sqrt(Sxx), on `df` degrees of freedom (runs - sides - 1). */
  slopeSe: number;
  df: number;
  /** How far the candidates' mean ln(control) lies from the baseline's: the shift the slope carries. */
  controlShift: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Both sides' values at the baseline's machine speed for a given slope (ln y - slope (ln x - centre)). */
export function adjustAt(fit: FitInput, slope: number): { base: number[]; cand: number[] } {
  const at = (side: { y: number[]; x: number[] }) =>
    side.y.map((ly, i) => Math.exp(ly - slope * (side.x[i]! - fit.centre)));
  return { base: at(fit.sides[0]), cand: at(fit.sides[1]) };
}

/** The logs of both sides and the centre (the baseline's mean ln control). */
export interface FitInput {
  sides: [{ y: number[]; x: number[] }, { y: number[]; x: number[] }];
  centre: number;
}

/**
 * Regression adjustment on the log scale, with what the slope's uncertainty needs. The slope is the
 * pooled within-side least-squares slope, floored at 0: a machine that ran benchline's own work faster
 * never makes a server slower, and a negative slope from a handful of runs is noise that would only add
 * it. Undefined when a value is not above 0 (no log), neither side's control varies (no slope), or too
 * few runs leave no degree of freedom for the residuals.
 */
export function adjustForMachine(
  base: readonly number[],
  baseControl: readonly number[],
  cand: readonly number[],
  candControl: readonly number[],
): (Adjusted & FitInput) | undefined {
  if (base.length !== baseControl.length || cand.length !== candControl.length) return undefined;
  if ([...base, ...cand, ...baseControl, ...candControl].some((v) => !(v > 0))) return undefined;
  const sides: FitInput["sides"] = [
    { y: base.map(Math.log), x: baseControl.map(Math.log) },
    { y: cand.map(Math.log), x: candControl.map(Math.log) },
  ];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  let groups = 0;
  for (const { x, y } of sides) {
    if (x.length === 0) continue;
    groups++;
    const mx = mean(x);
    const my = mean(y);
    x.forEach((xi, i) => {
      sxy += (xi - mx) * (y[i]! - my);
      sxx += (xi - mx) ** 2;
      syy += (y[i]! - my) ** 2;
    });
  }
  const df = base.length + cand.length - groups - 1;
  if (!(sxx > 0) || df < 1) return undefined;
  const fittedSlope = sxy / sxx;
  const residualSs = Math.max(0, syy - fittedSlope * sxy);
  const slopeSe = Math.sqrt(residualSs / df / sxx);
  const slope = Math.max(0, fittedSlope);
  const centre = mean(sides[0].x);
  const controlShift = cand.length > 0 ? mean(sides[1].x) - centre : 0;
  const fit = { sides, centre };
  return { ...adjustAt(fit, slope), slope, fittedSlope, slopeSe, df, controlShift, ...fit };
}

/**
 * The slopes a test at level `gamma` cannot rule out: the 1 - gamma confidence interval of the slope,
 * within [0, inf). A verdict that holds at every one of them holds whatever the slope is, but for
 * gamma (Berger & Boos 1994: a p-value maximised over a confidence set for a nuisance parameter, plus
 * gamma, is a valid p-value).
 */
export function slopeRange(fit: Adjusted, gamma: number): { low: number; high: number } {
  const t = tQuantile(1 - gamma / 2, fit.df);
  return {
    low: Math.max(0, fit.fittedSlope - t * fit.slopeSe),
    high: Math.max(0, fit.fittedSlope + t * fit.slopeSe),
  };
}

/**
 * The Mann-Whitney p-value and the Hodges-Lehmann interval that hold at every slope in `range`: the
 * largest p-value over it, and an interval that holds every slope's. At slope b a candidate and a
 * baseline run differ by d(b) = (ln c - ln a) - b (x_c - x_a) on the log scale (the centre cancels),
 * a line in b. The test's U counts the pairs with d > 0, so it changes only where a line crosses 0:
 * between those crossings the p-value is constant, and the largest is found at the range's ends and
 * between each two crossings (no candidate ties a baseline run there). Each d(b) lies between its
 * values at the ends, so the k-th smallest of the lower ends and the k-th largest of the upper ends
 * bound every slope's interval (a little wider than their union at most). A range of one slope is
 * the ordinary test of the values at that slope, ties included.
 */
export function judgeOverSlopes(
  fit: FitInput,
  range: { low: number; high: number },
  confidence: number,
): { pValue: number; interval: { low: number; high: number } } {
  const [base, cand] = fit.sides;
  if (!(range.high > range.low)) {
    const v = adjustAt(fit, range.low);
    const interval = hodgesLehmannChange(v.base, v.cand, confidence) ?? {
      low: -1,
      high: Number.POSITIVE_INFINITY,
    };
    return { pValue: mannWhitneyU(v.cand, v.base).pValue, interval };
  }
  const lines = cand.y.flatMap((cy, j) =>
    base.y.map((by, i) => ({ a: cy - by, s: cand.x[j]! - base.x[i]! })),
  );
  const crossings = lines
    .filter((l) => l.s !== 0)
    .map((l) => l.a / l.s)
    .filter((b) => b > range.low && b < range.high)
    .sort((x, y) => x - y)
    // Two lines may cross 0 at one slope: a midpoint between them would be that slope, where the pair
    // ties, and no slope of positive width reads that tie.
    .filter((b, i, all) => i === 0 || b !== all[i - 1]);
  const points = [range.low, range.high];
  [range.low, ...crossings, range.high].forEach((b, i, all) => {
    if (i > 0) points.push((all[i - 1]! + b) / 2);
  });
  const n1 = cand.y.length;
  const n2 = base.y.length;
  const centre = (n1 * n2) / 2;
  // The p-value is largest where U is nearest its null mean.
  let nearest = Number.POSITIVE_INFINITY;
  let nearestU = centre;
  for (const b of points) {
    let u = 0;
    for (const l of lines) {
      const d = l.a - b * l.s;
      u += d > 0 ? 1 : d === 0 ? 0.5 : 0;
    }
    if (Math.abs(u - centre) < nearest) {
      nearest = Math.abs(u - centre);
      nearestU = u;
    }
  }
  const k = rankIntervalIndex(n2, n1, confidence);
  const lows = lines
    .map((l) => Math.min(l.a - range.low * l.s, l.a - range.high * l.s))
    .sort((x, y) => x - y);
  const highs = lines
    .map((l) => Math.max(l.a - range.low * l.s, l.a - range.high * l.s))
    .sort((x, y) => x - y);
  const interval =
    k < 1
      ? { low: -1, high: Number.POSITIVE_INFINITY }
      : { low: Math.expm1(lows[k - 1]!), high: Math.expm1(highs[highs.length - k]!) };
  return { pValue: mannWhitneyPOfU(nearestU, n1, n2), interval };
}

/**
 * How far the slope's uncertainty can move the candidates' values at level gamma, as a log shift: the
 * half-width of the slope's interval times the control's move. Zero when the machine did not move.
 */
export function slopeShiftWidth(fit: Adjusted, gamma: number): number {
  return tQuantile(1 - gamma / 2, fit.df) * fit.slopeSe * Math.abs(fit.controlShift);
}
