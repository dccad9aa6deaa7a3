import { describe, expect, it } from 'vitest';
import { isRempartError } from '../errors.js';
import { addDuration, compareDates, formatDuration, isDuration, isIsoDate, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads years, months and days', () => {
    expect(parseDuration('P3Y')).toEqual({ years: 3, months: 0, days: 0 });
    expect(parseDuration('P1Y6M')).toEqual({ years: 1, months: 6, days: 0 });
    expect(parseDuration('P10Y2M3D')).toEqual({ years: 10, months: 2, days: 3 });
    expect(parseDuration('P0D')).toEqual({ years: 0, months: 0, days: 0 });
  });

  it('refuses anything else', () => {
    for (const bad of ['P', '', '3Y', 'P3y', 'PT1H', 'P1W', 'P1D2M', '-P1Y', 'P1.5Y', ' P1Y']) {
      expect(isDuration(bad)).toBe(false);
      let error: unknown;
      try {
        parseDuration(bad);
      } catch (e) {
        error = e;
      }
      expect(isRempartError(error, 'VALIDATION_FAILED')).toBe(true);
    }
  });

  it('formats back', () => {
    for (const text of ['P3Y', 'P1Y6M', 'P10Y2M3D', 'P0D', 'P30D']) expect(formatDuration(parseDuration(text))).toBe(text);
  });
});

describe('addDuration', () => {
  it('P4.1 adds whole years', () => {
    expect(addDuration('2018-06-20', 'P3Y')).toBe('2021-06-20');
    expect(addDuration('2018-06-20', 'P10Y')).toBe('2028-06-20');
  });

  it('P4.4 12 months and one year end on the same day', () => {
    expect(addDuration('2024-05-10', 'P12M')).toBe(addDuration('2024-05-10', 'P1Y'));
  });

  it('clamps 29 February to 28 February in a common year, and month ends likewise', () => {
    expect(addDuration('2024-02-29', 'P1Y')).toBe('2025-02-28');
    expect(addDuration('2024-02-29', 'P4Y')).toBe('2028-02-29');
    expect(addDuration('2024-01-31', 'P1M')).toBe('2024-02-29');
    expect(addDuration('2023-01-31', 'P1M')).toBe('2023-02-28');
    expect(addDuration('2023-08-31', 'P1M')).toBe('2023-09-30');
  });

  it('adds years and months before days', () => {
    expect(addDuration('2023-01-31', 'P1M1D')).toBe('2023-03-01');
    expect(addDuration('2023-12-31', 'P1D')).toBe('2024-01-01');
    expect(addDuration('2023-11-15', 'P1Y2M')).toBe('2025-01-15');
    expect(addDuration('2023-03-01', { years: 0, months: 0, days: 365 })).toBe('2024-02-29');
  });

  it('P0D changes nothing', () => {
    expect(addDuration('2020-02-29', 'P0D')).toBe('2020-02-29');
  });

  it('works on early years too', () => {
    expect(addDuration('0099-12-31', 'P1D')).toBe('0100-01-01');
  });

  it('refuses a date that does not exist', () => {
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(() => addDuration('2023-02-29', 'P1Y')).toThrow(/not a calendar date/);
  });
});

describe('compareDates', () => {
  it('orders YYYY-MM-DD dates', () => {
    expect(['2024-01-02', '2023-12-31', '2024-01-01'].sort(compareDates)).toEqual(['2023-12-31', '2024-01-01', '2024-01-02']);
    expect(compareDates('2024-01-01', '2024-01-01')).toBe(0);
  });
});
