import type { TFunction } from 'i18next';
import type { Lang, Value } from './api.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A day (YYYY-MM-DD) as the person reads it: "7 janvier 2027" / "7 January 2027". */
export function formatDay(day: string, lang: Lang): string {
  const [y, m, d] = day.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y!, m! - 1, d!)));
}

/** An instant in Paris time, as the person reads it. */
export function formatInstant(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(iso));
}

/** "first_name" → "First name": the fallback label of a column no catalogue names. */
export function humanise(name: string): string {
  const words = name.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label of a table in the person's language. */
export function tableLabel(t: TFunction, table: string): string {
  return t(`tables.${table.replace('.', '_')}`, { defaultValue: humanise(table) });
}

/** The label of a column in the person's language. */
export function fieldLabel(t: TFunction, field: string): string {
  return t(`fields.${field}`, { defaultValue: humanise(field) });
}

/** Columns that only link records together: in the download, not on the page. */
export function isInternal(field: string): boolean {
  return field === 'id' || field.endsWith('_id') || field.endsWith('_hash') || field === 'purpose' || field === 'payload_sealed';
}

/** A coded value (a relation, a state, a right…) in words, when the portal knows its words. */
export function codeLabel(t: TFunction, field: string, value: Value): string | null {
  if (typeof value !== 'string' || !/^[a-z_]+$/.test(value)) return null;
  const key = `values.${field}.${value}`;
  const label = t(key, { defaultValue: '' });
  return label === '' ? null : label;
}

/** A value as text: dates as dates, lists and objects flattened, empty as a dash. */
export function formatValue(value: Value, lang: Lang, t: TFunction): string {
  if (value === null || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (typeof value === 'number') return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB').format(value);
  if (typeof value === 'string') {
    if (DAY.test(value)) return formatDay(value, lang);
    if (INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return formatInstant(value, lang);
    return value;
  }
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map((v) => formatValue(v, lang, t)).join(' ; ');
  const entries = Object.entries(value as Record<string, Value>).filter(([, v]) => v !== null && v !== '');
  // A postal address reads as one on an envelope: "Bureau : 67 voie de Rivoli, 54000 Nancy, FR".
  if ('line1' in value || 'postcode' in value || 'postalCode' in value) {
    const v = value as Record<string, Value>;
    const str = (k: string): string => (typeof v[k] === 'string' ? (v[k] as string) : '');
    const lines = [str('line1'), str('line2'), [str('postcode') || str('postalCode'), str('city')].filter(Boolean).join(' '), str('country')].filter(Boolean).join(', ');
    return str('label') === '' ? lines : `${str('label')} : ${lines}`;
  }
  // A phone { number, type } reads "+33 6… (mobile)"; an address reads its lines.
  if ('number' in value && typeof value.number === 'string') return `${value.number}${typeof value.type === 'string' ? ` (${t(`phoneTypes.${value.type}`, { defaultValue: value.type })})` : ''}`;
  return entries.map(([k, v]) => (k === 'line' || k === 'street' || k === 'city' || k === 'postalCode' ? formatValue(v, lang, t) : `${fieldLabel(t, k)} : ${formatValue(v, lang, t)}`)).join(', ');
}
