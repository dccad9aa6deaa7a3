import { useEffect, useState } from 'react';

/**
 * The hash routes of the backoffice. Only record ids ever appear in a route: names,
 * e-mails and filters stay in the page, out of history, logs and Referer headers.
 */
export type Route =
  | { readonly view: 'organisations' }
  | { readonly view: 'people'; readonly personId: string | null }
  | { readonly view: 'contracts' }
  | { readonly view: 'invoices' }
  | { readonly view: 'complaints' };

export type View = Route['view'];

export const DEFAULT_ROUTE: Route = { view: 'organisations' };

/** Reads a location hash (`#/people/0191…`); anything unknown is the default route. */
export function parseRoute(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  switch (view) {
    case 'people':
      return { view, personId: id ? decodeURIComponent(id) : null };
    case 'organisations':
    case 'contracts':
    case 'invoices':
    case 'complaints':
      return { view };
    default:
      return DEFAULT_ROUTE;
  }
}

/** The hash of a route. */
export function href(route: Route): string {
  if (route.view === 'people' && route.personId) return `#/people/${encodeURIComponent(route.personId)}`;
  return `#/${route.view}`;
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
