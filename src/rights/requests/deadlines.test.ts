import { describe, expect, it } from 'vitest';
import {
  addDays,
  answerDeadline,
  canStillExtend,
  daysLeft,
  easterSunday,
  extendedDeadline,
  frenchPublicHolidays,
  isFrenchPublicHoliday,
  isOverdue,
  isWorkingDay,
  monthsLater,
  nextWorkingDay,
  parisDate,
} from './deadlines.js';

/** Noon UTC on a date: the same day in Paris whatever the season. */
const noon = (date: string): Date => new Date(`${date}T12:00:00Z`);

describe('P5 deadlines (GDPR Art. 12(3), Regulation 1182/71)', () => {
  it('P5 Easter by the anonymous Gregorian algorithm', () => {
    const known: Record<number, string> = {
      2000: '2000-04-23',
      2008: '2008-03-23',
      2011: '2011-04-24',
      2019: '2019-04-21',
      2024: '2024-03-31',
      2025: '2025-04-20',
      2026: '2026-04-05',
      2027: '2027-03-28',
      2038: '2038-04-25',
      2285: '2285-03-22',
    };
    for (const [year, date] of Object.entries(known)) expect(easterSunday(Number(year))).toBe(date);
  });

  it('P5 the eleven French public holidays of 2026 and the movable ones of 2027', () => {
    expect(frenchPublicHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-08',
      '2026-05-14',
      '2026-05-25',
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
    expect(['2027-03-29', '2027-05-06', '2027-05-17'].every(isFrenchPublicHoliday)).toBe(true);
    expect(isFrenchPublicHoliday('2027-03-28')).toBe(false); // Easter Sunday itself is a Sunday, not a listed holiday
    expect(isFrenchPublicHoliday('2026-12-26')).toBe(false); // Alsace-Moselle only
  });

  it('P5 working days: not Saturday, Sunday or public holiday', () => {
    expect(isWorkingDay('2026-11-26')).toBe(true); // Thursday
    expect(isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-29')).toBe(false); // Sunday
    expect(isWorkingDay('2026-11-11')).toBe(false); // Wednesday, Armistice
    expect(nextWorkingDay('2026-12-25')).toBe('2026-12-28');
    expect(nextWorkingDay('2026-12-28')).toBe('2026-12-28');
  });

  it("P5 the EDPB's example: received 5 March, due 5 April", () => {
    expect(answerDeadline(noon('2027-03-05'))).toBe('2027-04-05');
  });

  it('P5 month ends: the last day of a shorter month (Reg. 1182/71 Art. 3(2)(c)), leap years included', () => {
    expect(monthsLater('2027-01-31', 1)).toBe('2027-02-28');
    expect(monthsLater('2028-01-31', 1)).toBe('2028-02-29');
    expect(monthsLater('2028-01-29', 1)).toBe('2028-02-29');
    expect(monthsLater('2027-01-29', 1)).toBe('2027-02-28');
    expect(monthsLater('2026-03-31', 1)).toBe('2026-04-30');
    expect(monthsLater('2026-08-31', 1)).toBe('2026-09-30');
    expect(monthsLater('2026-12-31', 1)).toBe('2027-01-31');
    expect(answerDeadline(noon('2028-01-31'))).toBe('2028-02-29'); // a Tuesday
    expect(answerDeadline(noon('2027-01-31'))).toBe('2027-03-01'); // 28 Feb 2027 is a Sunday
    expect(answerDeadline(noon('2027-01-30'))).toBe('2027-03-01');
    expect(answerDeadline(noon('2026-01-31'))).toBe('2026-03-02'); // 28 Feb 2026 is a Saturday
    expect(answerDeadline(noon('2026-03-31'))).toBe('2026-04-30');
    expect(answerDeadline(noon('2026-08-31'))).toBe('2026-09-30');
  });

  it('P5 weekends move the deadline to Monday (Reg. 1182/71 Art. 3(4))', () => {
    expect(answerDeadline(noon('2026-11-26'))).toBe('2026-12-28'); // 26 Dec is a Saturday
    expect(answerDeadline(noon('2026-04-30'))).toBe('2026-06-01'); // 30 May is a Saturday
  });

  it('P5 public holidays move the deadline to the next working day, across weekends', () => {
    expect(answerDeadline(noon('2026-04-01'))).toBe('2026-05-04'); // 1 May (Fri), weekend
    expect(answerDeadline(noon('2026-04-08'))).toBe('2026-05-11'); // 8 May (Fri), weekend
    expect(answerDeadline(noon('2026-04-14'))).toBe('2026-05-15'); // Ascension
    expect(answerDeadline(noon('2026-04-25'))).toBe('2026-05-26'); // Whit Monday
    expect(answerDeadline(noon('2026-06-14'))).toBe('2026-07-15'); // 14 July
    expect(answerDeadline(noon('2026-07-15'))).toBe('2026-08-17'); // 15 Aug (Sat), Sunday
    expect(answerDeadline(noon('2026-10-01'))).toBe('2026-11-02'); // 1 Nov (Sun)
    expect(answerDeadline(noon('2026-10-11'))).toBe('2026-11-12'); // 11 Nov
    expect(answerDeadline(noon('2026-11-25'))).toBe('2026-12-28'); // Christmas (Fri), weekend
    expect(answerDeadline(noon('2026-12-01'))).toBe('2027-01-04'); // New Year (Fri), weekend
    expect(answerDeadline(noon('2027-02-28'))).toBe('2027-03-30'); // Easter Sunday, then Easter Monday
    expect(answerDeadline(noon('2027-04-15'))).toBe('2027-05-18'); // Saturday, Sunday, Whit Monday
  });

  it('P5 receipt is a day in Paris: late evening in Paris vs UTC', () => {
    // 23:59:59 in Paris (CEST) on 14 September is still the 14th…
    expect(parisDate(new Date('2026-09-14T21:59:59Z'))).toBe('2026-09-14');
    expect(answerDeadline(new Date('2026-09-14T21:59:59Z'))).toBe('2026-10-14');
    // …and 00:30 in Paris on the 15th is the 15th, though UTC still says the 14th.
    expect(parisDate(new Date('2026-09-14T22:30:00Z'))).toBe('2026-09-15');
    expect(answerDeadline(new Date('2026-09-14T22:30:00Z'))).toBe('2026-10-15');
    // In winter Paris is UTC+1.
    expect(answerDeadline(new Date('2026-12-14T22:59:00Z'))).toBe('2027-01-14');
    expect(answerDeadline(new Date('2026-12-14T23:00:00Z'))).toBe('2027-01-15');
  });

  it('P5 the days clocks change (29 March and 25 October 2026)', () => {
    // Spring: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    expect(parisDate(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29'); // 00:30 CET
    expect(answerDeadline(new Date('2026-03-28T23:30:00Z'))).toBe('2026-04-29');
    expect(answerDeadline(new Date('2026-03-29T21:59:00Z'))).toBe('2026-04-29'); // 23:59 CEST
    expect(answerDeadline(new Date('2026-03-29T22:00:00Z'))).toBe('2026-04-30'); // 00:00 CEST on the 30th
    // Autumn: 03:00 CEST becomes 02:00 CET at 01:00 UTC; the day lasts 25 hours.
    expect(answerDeadline(new Date('2026-10-24T22:30:00Z'))).toBe('2026-11-25'); // 00:30 CEST on the 25th
    expect(answerDeadline(new Date('2026-10-25T22:59:00Z'))).toBe('2026-11-25'); // 23:59 CET
    expect(answerDeadline(new Date('2026-10-25T23:00:00Z'))).toBe('2026-11-26'); // 00:00 CET on the 26th
  });

  it('P5 every receipt day of 2024–2030: a working day, no earlier than the same date a month later, nothing skipped but non-working days', () => {
    for (let d = '2024-01-01'; d <= '2030-12-31'; d = addDays(d, 1)) {
      const due = answerDeadline(noon(d));
      const nominal = monthsLater(d, 1);
      expect(isWorkingDay(due), `${d} → ${due}`).toBe(true);
      expect(due >= nominal, `${d} → ${due}`).toBe(true);
      for (let x = nominal; x < due; x = addDays(x, 1)) expect(isWorkingDay(x), `${d}: ${x}`).toBe(false);
      const [y, m, day] = d.split('-').map(Number) as [number, number, number];
      const lastOfNext = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
      expect(Number(nominal.slice(8)), d).toBe(Math.min(day, lastOfNext));
      expect(daysLeft(due, noon(d)), d).toBeGreaterThanOrEqual(28);
    }
  });

  it('P5 extension: two further months from the end of the first, moved to a working day', () => {
    expect(extendedDeadline(noon('2026-11-26'))).toBe('2027-02-26');
    expect(extendedDeadline(noon('2026-11-26'), 1)).toBe('2027-01-26');
    // Received 31 January 2027: the first month ends 28 February, so 28 April (not 30 April).
    expect(extendedDeadline(noon('2027-01-31'))).toBe('2027-04-28');
    expect(() => extendedDeadline(noon('2026-11-26'), 3)).toThrow(/Art\. 12\(3\)/);
    expect(() => extendedDeadline(noon('2026-11-26'), 0)).toThrow(RangeError);
  });

  it('P5 an extension can be decided until the end of the first deadline day in Paris, not after', () => {
    const received = noon('2026-11-26'); // due 2026-12-28
    expect(canStillExtend(received, new Date('2026-12-28T22:59:59Z'))).toBe(true);
    expect(canStillExtend(received, new Date('2026-12-28T23:00:00Z'))).toBe(false);
  });

  it('P5 overdue once the deadline day has ended in Paris; days left', () => {
    expect(isOverdue('2026-12-28', new Date('2026-12-28T22:59:59Z'))).toBe(false);
    expect(isOverdue('2026-12-28', new Date('2026-12-28T23:00:00Z'))).toBe(true);
    expect(daysLeft('2026-12-28', noon('2026-12-28'))).toBe(0);
    expect(daysLeft('2026-12-28', noon('2026-12-21'))).toBe(7);
    expect(daysLeft('2026-12-28', noon('2026-12-30'))).toBe(-2);
    // Across a clock change the count is still in whole days.
    expect(daysLeft('2026-10-26', noon('2026-10-24'))).toBe(2);
  });
});
