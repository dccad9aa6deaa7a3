import type { ReactNode } from 'react';
import type { PagedList } from './use-paged-list.js';

/** One column of a record table. */
export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => ReactNode;
  /** 'num' right-aligns figures; 'mono' is for identifiers. */
  readonly kind?: 'num' | 'mono';
  /** Left out when the table is compact (a detail panel beside it). */
  readonly secondary?: boolean;
  /**
   * The field the column shows. The server leaves out the fields the role may not see:
   * a column whose field no row carries is left out too, rather than a column of dashes.
   */
  readonly field?: keyof T & string;
}

interface Props<T extends { readonly id: string }> {
  readonly label: string;
  readonly columns: readonly Column<T>[];
  readonly list: PagedList<T>;
  /** Rows shown above the list's own, e.g. records just created (not repeated below). */
  readonly pinned?: readonly T[];
  readonly selectedId?: string | null;
  readonly onSelect?: (row: T) => void;
  readonly empty: string;
  /** Shown instead of the table when the role may not read these records (403). */
  readonly forbidden: string;
  /** Shows only the columns that are not secondary. */
  readonly compact?: boolean;
}

/** A dense table of records with "Charger plus" while the API has a further page. */
export function RecordTable<T extends { readonly id: string }>({ label, columns: allColumns, list, pinned = [], selectedId, onSelect, empty, forbidden, compact = false }: Props<T>) {
  const pinnedIds = new Set(pinned.map((r) => r.id));
  const rows = [...pinned, ...list.items.filter((r) => !pinnedIds.has(r.id))];
  const columns = allColumns.filter((c) => !(compact && c.secondary) && isShown(c, rows));
  const firstLoad = list.loading && list.items.length === 0;

  if (list.error?.forbidden) {
    return (
      <div className="table-block">
        <p className="forbidden" role="alert">
          {forbidden}
        </p>
      </div>
    );
  }

  return (
    <div className="table-block">
      <div className="table-scroll">
        <table className="records" aria-label={label} aria-busy={list.loading}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.header} scope="col" className={c.kind === 'num' ? 'num' : undefined}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.id}
                className={[onSelect ? 'clickable' : '', pinnedIds.has(row.id) ? 'new' : '', selectedId === row.id ? 'selected' : ''].filter(Boolean).join(' ') || undefined}
                aria-current={selectedId === row.id ? 'true' : undefined}
                onClick={onSelect ? () => onSelect(row) : undefined}
              >
                {columns.map((c) => (
                  <td key={c.header} className={c.kind}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
            {rows.length === 0 && !list.loading && !list.error && (
              <tr>
                <td colSpan={columns.length} className="placeholder">
                  {empty}
                </td>
              </tr>
            )}
            {firstLoad && (
              <tr>
                <td colSpan={columns.length} className="placeholder">
                  Chargement…
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {list.error && (
        <p className="alert error" role="alert">
          {list.error.message}{' '}
          <button type="button" className="link" onClick={list.items.length > 0 ? list.loadMore : list.reload}>
            Réessayer
          </button>
        </p>
      )}
      <div className="table-footer">
        <span className="muted">
          {rows.length} {rows.length > 1 ? 'lignes affichées' : 'ligne affichée'}
          {list.hasMore ? ' — d’autres suivent' : ''}
        </span>
        {list.hasMore && (
          <button type="button" onClick={list.loadMore} disabled={list.loading}>
            {list.loading ? 'Chargement…' : 'Charger plus'}
          </button>
        )}
      </div>
    </div>
  );
}

/** A column is shown unless rows are loaded and none of them carries its field. */
function isShown<T extends object>(column: Column<T>, rows: readonly T[]): boolean {
  const { field } = column;
  return field === undefined || rows.length === 0 || rows.some((r) => Object.hasOwn(r, field));
}
