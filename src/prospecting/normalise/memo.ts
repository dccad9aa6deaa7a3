/**
 * A pure function of a string, remembered in a bounded cache: the values of a prospect file
 * repeat (a few thousand first names and postcodes, one company for many contacts, the same
 * phone switchboard), so each distinct value is normalised once. The cache is cleared when it
 * holds `max` entries, so memory stays bounded whatever the file. Results must be read-only
 * values: every caller of the same input gets the same object.
 */
export function remembered<R>(fn: (raw: string) => R, max = 50_000): (raw: string) => R {
  const cache = new Map<string, R>();
  return (raw) => {
    const hit = cache.get(raw);
    if (hit !== undefined || cache.has(raw)) return hit as R;
    const r = fn(raw);
    if (cache.size >= max) cache.clear();
    cache.set(raw, r);
    return r;
  };
}
