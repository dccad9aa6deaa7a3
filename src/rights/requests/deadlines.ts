/**
 * Deadlines of requests to exercise a right (GDPR Art. 12(3)): pure calendar arithmetic.
 *
 * Art. 12(3): the controller answers "within one month of receipt of the request",
 * extendable "by two further months where necessary". The GDPR does not say how a month
 * is counted, so we apply Regulation (EEC, Euratom) No 1182/71 on periods, dates and
 * time limits, as the EDPB does in its Guidelines 01/2022 on the right of access:
 *
 * - Art. 3(1), second subparagraph: a period counted from an event does not include the
 *   day of the event; it starts on the day after receipt.
 * - Art. 3(2)(c): a period in months ends with the last hour of the day, in the last
 *   month, that "falls on the same date as the day from which the period runs" (the day
 *   of receipt), and when that date does not exist in the last month, with the last
 *   hour of that month's last day. So received 5 March → 5 April (the EDPB's own
 *   example); received 31 January → 28 February, or 29 February in a leap year;
 *   received 31 March → 30 April.
 * - Art. 3(4): when the last day is a public holiday, a Saturday or a Sunday, the period
 *   ends with the last hour of the following working day. The holidays are the French
 *   public holidays (Code du travail L3133-1), since the controller is in France.
 *
 * "Receipt" is a day in Europe/Paris time: a request that arrives at 23:30 in Paris on
 * the 31st (21:30 or 22:30 UTC) was received on the 31st, and one arriving at 00:30 in
 * Paris on the 1st was received on the 1st even though UTC still says the 31st.
 *
 * The extension: we count the two further months from the day the first month ended
 * (Art. 3(2)(c) before any Art. 3(4) move), which is never later than counting three
 * months from receipt (received 31 January: 28 April rather than 30 April). It is the
 * stricter reading, so the controller never relies on a day a person could dispute.
 *
 * Deadlines are calendar dates (`YYYY-MM-DD`, Paris): the period ends at the end of that
 * day in Paris. Nothing here reads the clock; the caller passes `now`.
 */
import { addDuration, compareDates } from '../../policy/index.js';

/** A calendar date `YYYY-MM-DD`. */
export type IsoDate = string;

/** The time zone the controller counts its days in. */
export const CONTROLLER_TIME_ZONE = 'Europe/Paris';

const parisDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: CONTROLLER_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day (Europe/Paris) an instant falls on, `YYYY-MM-DD`. */
export function parisDate(at: Date): IsoDate {
  // en-CA formats as YYYY-MM-DD.
  return parisDay.format(at);
}

function parts(date: IsoDate): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? NaN, m ?? NaN, d ?? NaN];
}

function iso(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function utc(date: IsoDate): Date {
  const [y, m, d] = parts(date);
  const at = new Date(0);
  at.setUTCFullYear(y, m - 1, d);
  return at;
}

/** The date `days` days after (or before, when negative) `date`. */
export function addDays(date: IsoDate, days: number): IsoDate {
  const at = utc(date);
  at.setUTCDate(at.getUTCDate() + days);
  return iso(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate());
}

/** The day of the week of a date: 0 Sunday … 6 Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return utc(date).getUTCDay();
}

/** Easter Sunday of a Gregorian year, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(year, month, day);
}

/** One French public holiday. */
export interface PublicHoliday {
  readonly date: IsoDate;
  readonly name: string;
}

/**
 * The French public holidays of a year (Code du travail L3133-1), metropolitan France.
 * Alsace-Moselle's Good Friday and 26 December and the overseas abolition days are
 * left out: the controller counts its days in Paris.
 */
export function frenchPublicHolidays(year: number): readonly PublicHoliday[] {
  const easter = easterSunday(year);
  return Object.freeze(
    [
      { date: iso(year, 1, 1), name: "Jour de l'an" },
      { date: addDays(easter, 1), name: 'Lundi de Pâques' },
      { date: iso(year, 5, 1), name: 'Fête du Travail' },
      { date: iso(year, 5, 8), name: 'Victoire 1945' },
      { date: addDays(easter, 39), name: 'Ascension' },
      { date: addDays(easter, 50), name: 'Lundi de Pentecôte' },
      { date: iso(year, 7, 14), name: 'Fête nationale' },
      { date: iso(year, 8, 15), name: 'Assomption' },
      { date: iso(year, 11, 1), name: 'Toussaint' },
      { date: iso(year, 11, 11), name: 'Armistice 1918' },
      { date: iso(year, 12, 25), name: 'Noël' },
    ].sort((x, y) => compareDates(x.date, y.date)),
  );
}

const holidayCache = new Map<number, ReadonlySet<IsoDate>>();

/** True when the date is a French public holiday. */
export function isFrenchPublicHoliday(date: IsoDate): boolean {
  const year = parts(date)[0];
  let set = holidayCache.get(year);
  if (set === undefined) {
    set = new Set(frenchPublicHolidays(year).map((h) => h.date));
    holidayCache.set(year, set);
  }
  return set.has(date);
}

/** True when the date is neither a Saturday, a Sunday nor a French public holiday (Reg. 1182/71 Art. 3(4)). */
export function isWorkingDay(date: IsoDate): boolean {
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6 && !isFrenchPublicHoliday(date);
}

/** The date itself when it is a working day, else the next working day (Reg. 1182/71 Art. 3(4)). */
export function nextWorkingDay(date: IsoDate): IsoDate {
  let d = date;
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/**
 * The day a period of `months` months from `fromDay` ends, before any move to a working
 * day (Reg. 1182/71 Art. 3(1) and 3(2)(c)): the same date `months` months later, or the
 * last day of that month when it has no such date.
 */
export function monthsLater(fromDay: IsoDate, months: number): IsoDate {
  // addDuration clamps to the month's last day, which is what Art. 3(2)(c) says.
  return addDuration(fromDay, `P${months}M`);
}

/** The last day to answer a request received at `receivedAt` (GDPR Art. 12(3), first sentence). */
export function answerDeadline(receivedAt: Date): IsoDate {
  return nextWorkingDay(monthsLater(parisDate(receivedAt), 1));
}

/** The furthest extension GDPR Art. 12(3) allows: two further months. */
export const MAX_EXTENSION_MONTHS = 2;

/**
 * The last day to answer once extended by `furtherMonths` (1 or 2; GDPR Art. 12(3),
 * second sentence), counted from the day the first month ended (see the module comment).
 */
export function extendedDeadline(receivedAt: Date, furtherMonths: number = MAX_EXTENSION_MONTHS): IsoDate {
  if (!Number.isInteger(furtherMonths) || furtherMonths < 1 || furtherMonths > MAX_EXTENSION_MONTHS) {
    throw new RangeError(`An extension is 1 or ${MAX_EXTENSION_MONTHS} further months (GDPR Art. 12(3)), not ${furtherMonths}.`);
  }
  const firstMonthEnds = monthsLater(parisDate(receivedAt), 1);
  return nextWorkingDay(monthsLater(firstMonthEnds, furtherMonths));
}

/**
 * True while the first deadline has not passed, so an extension may still be decided
 * and told to the person (GDPR Art. 12(3): "within one month of receipt").
 */
export function canStillExtend(receivedAt: Date, now: Date): boolean {
  return compareDates(parisDate(now), answerDeadline(receivedAt)) <= 0;
}

/** True when the deadline day has ended in Paris. */
export function isOverdue(due: IsoDate, now: Date): boolean {
  return compareDates(parisDate(now), due) > 0;
}

/** Calendar days from today (Paris) to the deadline: 0 on the last day, negative once overdue. */
export function daysLeft(due: IsoDate, now: Date): number {
  return Math.round((utc(due).getTime() - utc(parisDate(now)).getTime()) / 86_400_000);
}
