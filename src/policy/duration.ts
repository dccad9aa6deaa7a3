/**
 * ISO-8601 durations (years, months and days only: `PnYnMnD`) and calendar
 * arithmetic on `YYYY-MM-DD` dates, for retention periods.
 *
 * Retention periods are legal periods counted in calendar units ("three years
 * from the end of the contract"), not in seconds, so the arithmetic works on
 * calendar dates and never on timestamps: no time zone or DST can shift a day.
 */
import { RempartError } from '../errors.js';

/** A parsed duration. */
export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
}

const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `text` is a duration this module understands: `P3Y`, `P1Y6M`, `P30D`, `P0D`. */
export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/** Parses `PnYnMnD` (any part may be absent, at least one present); throws VALIDATION_FAILED otherwise. */
export function parseDuration(text: string): Duration {
  const match = DURATION.exec(text);
  if (match === null) {
    throw new RempartError('VALIDATION_FAILED', `"${text}" is not an ISO-8601 duration of the form PnYnMnD`, {
      details: [{ message: 'expected a duration such as P3Y, P1Y6M, P30D or P0D' }],
    });
  }
  return Object.freeze({
    years: Number(match[1] ?? 0),
    months: Number(match[2] ?? 0),
    days: Number(match[3] ?? 0),
  });
}

/** Formats a duration back to its ISO-8601 form (`P0D` for zero). */
export function formatDuration(duration: Duration): string {
  const parts = [
    duration.years > 0 ? `${duration.years}Y` : '',
    duration.months > 0 ? `${duration.months}M` : '',
    duration.days > 0 ? `${duration.days}D` : '',
  ].join('');
  return parts === '' ? 'P0D' : `P${parts}`;
}

/** A UTC date; `setUTCFullYear` because `Date.UTC` maps years 0–99 to 1900–1999. */
function utcDate(year: number, monthIndex: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids any local-time shift.
  return utcDate(year, month, 0).getUTCDate();
}

/** True when `text` is a real calendar date `YYYY-MM-DD` (so 2023-02-29 is not). */
export function isIsoDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Adds a duration to a `YYYY-MM-DD` date and returns the new date.
 *
 * Years and months are added first, as whole months; when the day does not exist in
 * the target month it is clamped to the month's last day (2024-02-29 + P1Y =
 * 2025-02-28, 2024-01-31 + P1M = 2024-02-29); then days are added. This is the
 * "constrain" rule of java.time and Temporal, and it never lets a period end after
 * the legal term: a year counted from 29 February ends on 28 February.
 */
export function addDuration(date: string, duration: Duration | string): string {
  if (!isIsoDate(date)) {
    throw new RempartError('VALIDATION_FAILED', `"${date}" is not a calendar date YYYY-MM-DD`, {
      details: [{ message: 'expected a date such as 2018-06-20' }],
    });
  }
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const monthIndex = year * 12 + (month - 1) + d.years * 12 + d.months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = (monthIndex % 12) + 1;
  const clampedDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  const result = utcDate(targetYear, targetMonth - 1, clampedDay + d.days);
  return `${pad(result.getUTCFullYear(), 4)}-${pad(result.getUTCMonth() + 1, 2)}-${pad(result.getUTCDate(), 2)}`;
}

/** Compares two `YYYY-MM-DD` dates: negative, zero or positive, like `Array.prototype.sort` wants. */
export function compareDates(a: string, b: string): number {
  // Zero-padded ISO dates order lexicographically.
  return a < b ? -1 : a > b ? 1 : 0;
}
