import type { MailLanguage } from '../../mail/index.js';

/** Headers of every message about a request: its language (RFC 3282). */
export function mailHeaders(language: MailLanguage): Readonly<Record<string, string>> {
  return { 'Content-Language': language };
}
