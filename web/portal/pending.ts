/**
 * The request waiting for its code, between the home and the code page. Its id (no
 * personal data) is kept in sessionStorage for a reload; the address stays in memory only,
 * so nothing personal is written to the browser's storage.
 */
export interface Pending {
  readonly requestId: string;
  readonly intent: string;
}

const KEY = 'rempart-portal-request';
let typedEmail = '';

export function savePending(pending: Pending, email: string): void {
  sessionStorage.setItem(KEY, JSON.stringify(pending));
  typedEmail = email;
}

export function readPending(): Pending | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Pending | null;
    return v !== null && typeof v.requestId === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function clearPending(): void {
  sessionStorage.removeItem(KEY);
  typedEmail = '';
}

/** The address typed on the home, when the code page follows it in the same page. */
export function pendingEmail(): string {
  return typedEmail;
}
