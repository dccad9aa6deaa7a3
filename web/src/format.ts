import type { Person } from './api.js';

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' });
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** A calendar date (YYYY-MM-DD) as dd/mm/yyyy; it has no time zone, so none is applied. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? date : dateFormat.format(d);
}

/** An instant (ISO 8601) in Paris time. */
export function formatDateTime(instant: string | null | undefined): string {
  if (!instant) return '—';
  const d = new Date(instant);
  return Number.isNaN(d.getTime()) ? instant : dateTimeFormat.format(d);
}

/** An amount in its currency, French style (1 200,50 €). */
export function formatMoney(amount: number | undefined, currency = 'EUR'): string {
  if (amount === undefined) return '—';
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency }).format(amount);
}

/** A SIRET grouped as SIREN + NIC (732 829 320 00074). */
export function formatSiret(siret: string | null | undefined): string {
  if (!siret) return '—';
  return /^\d{14}$/.test(siret) ? `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}` : siret;
}

/** "DURAND Élise", or what there is of it. */
export function personName(p: Pick<Person, 'lastName' | 'firstName'>): string {
  const name = [p.lastName?.toLocaleUpperCase('fr-FR'), p.firstName].filter(Boolean).join(' ');
  return name || '(sans nom)';
}

/** A value or a dash. */
export function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}
