import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiError, listRecords, type ApiError, type ListQuery, type Page, type ResourceName, type Resources } from './api.js';
import { rememberListedNames } from './organisation-name.js';

/** A list being read page by page with the API's nextCursor. */
export interface PagedList<T> {
  readonly items: readonly T[];
  /** True while a page is being fetched (the first or a further one). */
  readonly loading: boolean;
  readonly error: ApiError | null;
  /** Whether the API said there is a further page. */
  readonly hasMore: boolean;
  readonly loadMore: () => void;
  /** Reads the list again from its first page. */
  readonly reload: () => void;
}

interface State<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
  readonly loading: boolean;
  readonly error: ApiError | null;
}

/** How a list is read besides its filters. */
export interface PagedListOptions {
  /** Records per page; default: the server's. */
  readonly limit?: number;
}

/**
 * One page of `resource`; the organisation names it brings are kept for every table of
 * the page, so no table reads them one by one.
 */
async function readPage<R extends ResourceName>(resource: R, filters: ListQuery, limit: number | undefined, cursor?: string): Promise<Page<Resources[R]>> {
  const page = await listRecords(resource, { filters, ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }) });
  rememberListedNames(resource, page.items);
  return page;
}

/**
 * Reads `resource` with `filters` (search `q` included: the server searches, filters and
 * pages), first page at once, further pages on loadMore().
 */
export function usePagedList<R extends ResourceName>(resource: R, filters: ListQuery = {}, options: PagedListOptions = {}): PagedList<Resources[R]> {
  const [state, setState] = useState<State<Resources[R]>>({ items: [], nextCursor: null, loading: true, error: null });
  const [generation, setGeneration] = useState(0);
  // Each first-page read starts a generation; a page answered for an older one is dropped.
  const current = useRef(0);
  const filterKey = JSON.stringify(filters);
  const { limit } = options;

  useEffect(() => {
    const gen = ++current.current;
    setState({ items: [], nextCursor: null, loading: true, error: null });
    readPage(resource, JSON.parse(filterKey) as ListQuery, limit).then(
      (page) => {
        if (gen === current.current) setState({ items: page.items, nextCursor: page.nextCursor, loading: false, error: null });
      },
      (e: unknown) => {
        if (gen === current.current) setState({ items: [], nextCursor: null, loading: false, error: asApiError(e) });
      },
    );
  }, [resource, filterKey, limit, generation]);

  // loadMore reads the latest state through a ref, so it never fetches inside a state updater.
  const latest = useRef(state);
  latest.current = state;

  const loadMore = useCallback(() => {
    const { loading, nextCursor } = latest.current;
    if (loading || !nextCursor) return;
    const gen = current.current;
    latest.current = { ...latest.current, loading: true };
    setState((s) => ({ ...s, loading: true, error: null }));
    readPage(resource, JSON.parse(filterKey) as ListQuery, limit, nextCursor).then(
      (page) => {
        if (gen === current.current) {
          setState((prev) => ({ items: [...prev.items, ...page.items], nextCursor: page.nextCursor, loading: false, error: null }));
        }
      },
      (e: unknown) => {
        if (gen === current.current) setState((prev) => ({ ...prev, loading: false, error: asApiError(e) }));
      },
    );
  }, [resource, filterKey, limit]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  return { items: state.items, loading: state.loading, error: state.error, hasMore: state.nextCursor !== null, loadMore, reload };
}
