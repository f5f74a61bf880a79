/** The SLO window: OpenSLO's duration shorthand, and its length in seconds for the error budget. */
import { UsageError } from "../errors.js";

/** A positive whole number and one case-sensitive unit: minutes, hours, days, weeks, months, quarters, years. */
const SHORTHAND = /^([1-9][0-9]*)([mhdwMQY])$/;

const DAY_S = 86_400;
/**
 * Seconds per unit. OpenSLO leaves months, quarters and years to the implementation; a rolling budget
 * spans every length of month in turn, so they count their mean Gregorian length (365.2425 days a year,
 * a twelfth and a quarter of it): 1M = 30.436875 days.
 */
const UNIT_S: Record<string, number> = {
  m: 60,
  h: 3600,
  d: DAY_S,
  w: 7 * DAY_S,
  M: (365.2425 * DAY_S) / 12,
  Q: (365.2425 * DAY_S) / 4,
  Y: 365.2425 * DAY_S,
};

export interface SloWindow {
  /** As OpenSLO writes it: `28d`, `4w`, `1M`. */
  text: string;
  seconds: number;
}

export function parseSloWindow(text: string): SloWindow {
  const m = SHORTHAND.exec(text);
  if (!m)
    throw new UsageError(
      `--window ${text}: OpenSLO takes a positive whole number and one of m h d w M Q Y (minutes to years), e.g. 28d, 4w, 1M`,
    );
  return { text, seconds: Number(m[1]) * UNIT_S[m[2]!]! };
}
