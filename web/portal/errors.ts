import type { TFunction } from 'i18next';
import { ApiError } from './api.js';

/**
 * What to say, in the person's language, for an answer of the server: the closed error
 * codes and the field they name, never the server's English message.
 */
export function errorText(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.network');
  if (error.code === 'RATE_LIMITED') return t('errors.rateLimited', { minutes: Math.max(1, Math.ceil((error.retryAfterSeconds ?? 60) / 60)) });
  if (error.code === 'UNAUTHENTICATED') return t('errors.sessionEnded');
  const fields = error.details.map((d) => d.field);
  if (fields.includes('code') || error.code === 'NOT_FOUND') {
    if (/expired/i.test(error.message)) return t('errors.codeExpired');
    if (/too many/i.test(error.message)) return t('errors.codeLocked');
    if (/no request/i.test(error.message)) return t('errors.noPending');
    if (fields.includes('code')) return t('errors.codeWrong');
  }
  if (fields.some((f) => f.startsWith('phones'))) return t('errors.phone');
  if (/restricted/i.test(error.message)) return t('errors.restricted');
  return t('errors.generic');
}

/** The field an error belongs beside, so the page shows it there. */
export function errorField(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.details[0]?.field ?? null;
  if (field === null) return error.code === 'NOT_FOUND' ? 'code' : null;
  return field.startsWith('phones') ? 'phone' : field;
}

/** What the portal accepts as an e-mail address before asking the server (which checks it again). */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The words of an e-mail field's own check (react-hook-form's error type), or null when it passed. */
export function emailCheckText(t: TFunction, error: { readonly type: string } | undefined): string | null {
  if (error === undefined) return null;
  return error.type === 'required' ? t('errors.emailRequired') : t('errors.emailInvalid');
}
