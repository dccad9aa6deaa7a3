import { useEffect, useState } from 'react';

/**
 * The hash routes of the backoffice (listed in docs/ARCHITECTURE.md). Only record ids ever
 * appear in a route: names, e-mails and filters stay in the page, out of history, logs and
 * Referer headers. An address that matches no page is `unknown`, shown as such: never a
 * silent fallback to a list.
 */
export type Route =
  | { readonly view: 'home' }
  | { readonly view: 'dashboard' }
  | { readonly view: 'requests' }
  | { readonly view: 'request'; readonly requestId: string }
  | { readonly view: 'retention' }
  | { readonly view: 'audit' }
  | { readonly view: 'import' }
  | { readonly view: 'duplicates' }
  | { readonly view: 'segments' }
  | { readonly view: 'campaigns' }
  | { readonly view: 'opposition' }
  | { readonly view: 'consents'; readonly personId: string | null }
  | { readonly view: 'partners' }
  | { readonly view: 'training'; readonly engagementId: string | null }
  | { readonly view: 'organisations' }
  | { readonly view: 'people'; readonly personId: string | null }
  | { readonly view: 'contracts' }
  | { readonly view: 'invoices' }
  | { readonly view: 'complaints' }
  | { readonly view: 'unknown' };

export type View = Route['view'];

/** The page a route belongs to, as the server's navigation names them (a request belongs to `requests`). */
export function pageOf(route: Route): string | null {
  if (route.view === 'request') return 'requests';
  if (route.view === 'home' || route.view === 'unknown') return null;
  return route.view;
}

/** Reads a location hash (`#/people/0191…`); an empty one is the role's first page. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === '') return { view: 'home' };
  const [view, id, ...rest] = path.split('/');
  if (rest.length > 0) return { view: 'unknown' };
  switch (view) {
    case 'people':
    case 'consents':
      return { view, personId: id ? decodeURIComponent(id) : null };
    case 'requests':
      return id ? { view: 'request', requestId: decodeURIComponent(id) } : { view: 'requests' };
    case 'training':
      return { view, engagementId: id ? decodeURIComponent(id) : null };
    case 'dashboard':
    case 'retention':
    case 'audit':
    case 'import':
    case 'duplicates':
    case 'segments':
    case 'campaigns':
    case 'opposition':
    case 'partners':
    case 'organisations':
    case 'contracts':
    case 'invoices':
    case 'complaints':
      return id ? { view: 'unknown' } : { view };
    default:
      return { view: 'unknown' };
  }
}

/** The hash of a route. */
export function href(route: Route): string {
  if ((route.view === 'people' || route.view === 'consents') && route.personId) return `#/${route.view}/${encodeURIComponent(route.personId)}`;
  if (route.view === 'request') return `#/requests/${encodeURIComponent(route.requestId)}`;
  if (route.view === 'training' && route.engagementId) return `#/training/${encodeURIComponent(route.engagementId)}`;
  if (route.view === 'home' || route.view === 'unknown') return '#/';
  return `#/${route.view}`;
}

/** The hash of a page of the navigation. */
export function pageHref(page: string): string {
  return `#/${page}`;
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
