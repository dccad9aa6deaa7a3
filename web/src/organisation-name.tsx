import { useEffect, useState } from 'react';
import { ApiError, getRecord } from './api.js';

// Names of organisations already known, shared by every table of the page. Lists fill it
// from the names the server joins to their rows (see rememberListedNames), so a table
// never asks for one name per row; only a record seen in no list is read by id. What a
// role may read differs: the app empties it whenever the signed-in account changes.
const names = new Map<string, Promise<string>>();

/** Shown for an organisation the role may not read (the server gave the link, not the name). */
export const NAME_NOT_ALLOWED = '(accès non autorisé)';

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
        if (e instanceof ApiError && e.forbidden) return NAME_NOT_ALLOWED;
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

/** What a listed record may carry about its organisation. */
interface Listed {
  readonly id: string;
  readonly name?: string;
  readonly organisationId?: string | null;
  readonly organisationName?: string;
}

/**
 * Keeps the names a page of `resource` brought: an organisation's own name, or the name
 * the server joined beside a link. A link without a name means the role may not read
 * that organisation (the server joins every name it may), which is remembered too.
 */
export function rememberListedNames(resource: string, items: readonly object[]): void {
  for (const item of items as readonly Listed[]) {
    if (resource === 'organisations') {
      if (typeof item.name === 'string') rememberOrganisationName(item.id, item.name);
    } else if (typeof item.organisationId === 'string') {
      rememberOrganisationName(item.organisationId, item.organisationName ?? NAME_NOT_ALLOWED);
    }
  }
}

/** The organisation of a listed row, from the name the list joined: no request. */
export function ListedOrganisationName({ row }: { readonly row: Listed }) {
  if (!row.organisationId) return <span className="muted">—</span>;
  if (row.organisationName === undefined) {
    return (
      <span className="muted" title="Votre rôle ne permet pas de consulter cette organisation.">
        {NAME_NOT_ALLOWED}
      </span>
    );
  }
  return <>{row.organisationName}</>;
}

/** The name of an organisation given its id: from a list already read, else read once per page load. */
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
