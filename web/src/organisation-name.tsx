import { useEffect, useState } from 'react';
import { ApiError, getRecord } from './api.js';

// Names of organisations already asked for, shared by every table of the page. What a
// role may read differs: the app empties it whenever the signed-in account changes.
const names = new Map<string, Promise<string>>();

/** Forgets every name read (at sign-in and sign-out). */
export function forgetOrganisationNames(): void {
  names.clear();
}

function nameOf(id: string): Promise<string> {
  let p = names.get(id);
  if (!p) {
    p = getRecord('organisations', id).then(
      (o) => o.name ?? '(sans nom)',
      (e: unknown) => {
        names.delete(id); // not cached: a later render may try again
        if (e instanceof ApiError && e.forbidden) return '(accès non autorisé)';
        if (e instanceof ApiError && e.status === 404) return '(organisation introuvable)';
        return '(organisation indisponible)';
      },
    );
    names.set(id, p);
  }
  return p;
}

/** Records a name already known (an organisation just created), saving a read. */
export function rememberOrganisationName(id: string, name: string): void {
  names.set(id, Promise.resolve(name));
}

/** The name of an organisation given its id, read once per page load. */
export function OrganisationName({ id }: { readonly id: string | null | undefined }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let live = true;
    void nameOf(id).then((n) => {
      if (live) setName(n);
    });
    return () => {
      live = false;
    };
  }, [id]);
  if (!id) return <span className="muted">—</span>;
  return name === null ? <span className="muted">…</span> : <>{name}</>;
}
