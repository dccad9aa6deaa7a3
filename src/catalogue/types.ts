// The catalogue's types, apart from catalogue.ts: the catalogue-entries.ts files import them from here, and
// catalogue.ts imports those files, so a types-only module below both keeps the graph without a cycle.
import type { PurposeId } from '../db/column-types.js';

/** Data categories; each must be declared in the policy's `dataCategories`. */
export type DataCategory =
  | 'identity'
  | 'contact'
  | 'professional'
  | 'contract'
  | 'order'
  | 'delivery'
  | 'financial'
  | 'complaint'
  | 'survey'
  | 'debt_recovery'
  | 'prospecting'
  | 'provenance'
  | 'connection'
  | 'consent'
  | 'training';

/** A column that can hold personal data. */
export interface PersonalColumn {
  readonly personal: true;
  readonly category: DataCategory;
  readonly purposes: readonly PurposeId[];
  /** Provided by the person (Art. 20(1)), as opposed to observed, derived or produced by us. */
  readonly provided: boolean;
}

/** A column that holds no personal data, with the reason it does not. */
export interface PlainColumn {
  readonly personal: false;
  readonly why: string;
}

export type ColumnEntry = PersonalColumn | PlainColumn;

/** How a table's rows link to the person they concern. */
export interface SubjectLink {
  /** The column holding a `people.id` (or `id` for the people table itself). */
  readonly column: string;
  /** When the link goes through another table: that table and its column to join on. */
  readonly via?: { readonly table: string; readonly column: string; readonly subjectColumn: string };
}

/** The catalogue entry of one table. */
export interface TableEntry {
  readonly table: string;
  readonly description: string;
  /** Ways a row of this table concerns a person; empty when it never does. */
  readonly subjects: readonly SubjectLink[];
  /**
   * For tables that hold only keyed hashes of a person's identifiers and no link to the
   * person on purpose (the opposition list, Art. 19 notices): how a row is found from
   * the person's email or phone (GDPR Art. 11: nothing kept to re-identify).
   */
  readonly keyedBy?: string;
  /**
   * Held as a processor for a client (GDPR Art. 28), not as controller: the controller's
   * rights, retention and search engines never walk it (P1.5); its own close destroys it.
   */
  readonly processor?: true;
  readonly columns: Readonly<Record<string, ColumnEntry>>;
}
