/** Freezes `value` and everything reachable from it, so a loaded policy cannot be changed by accident. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze<unknown>(child);
  }
  return value;
}
