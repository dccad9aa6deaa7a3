import { RempartError } from '../errors.js';

/**
 * Checks a file name a client sent (a multipart upload's filename, a transfer's file
 * name): a bare name, no folder, no `..`, no control or NUL character, at most 200
 * characters. Rempart stores uploads under names it makes itself (ids), so a hostile name
 * could only travel into logs, headers or a later operator's `cp`; refusing it is
 * clearer than silently rewriting it. Throws VALIDATION_FAILED naming `field`.
 */
export function checkFileName(name: string, field: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = name === '' || name.length > 200 || /[/\\\u0000-\u001f\u007f]/.test(name) || name === '.' || name === '..' || name.startsWith('..') || /^[A-Za-z]:/.test(name);
  if (bad) {
    throw new RempartError('VALIDATION_FAILED', 'The file name must be a bare name: no folder, no "..", no control character, at most 200 characters.', {
      details: [{ field, message: 'must be a file name without a path' }],
    });
  }
  return name;
}
