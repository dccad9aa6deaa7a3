import { useEffect, useState } from 'react';
import { getRecord } from './api.js';

// Names of organisations already asked for, shared by every table of the page.
const names = new Map<string, Promise<string>>();

function nameOf(id: string): Promise<string> {
  let p = names.get(id);
  if (!p) {
    p = getRecord('organisations', id).then(
      (o) => o.name,
      () => {
        names.delete(id); // not cached: a later render may try again
        return '(organisation introuvable)';
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
export function OrganisationName({ id }: { readonly id: string | null }) {
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
