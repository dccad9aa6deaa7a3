// The column types every table declaration shares. The tables.ts files import them from here, not from
// schema.ts, which assembles those files: a types-only module below both keeps the graph without a cycle.
import type { ColumnType } from 'kysely';

/** A `date` column: ISO `YYYY-MM-DD` strings in and out (parsers are set so in database.ts). */
export type DateString = string;
/** A `timestamptz` column: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A `numeric` column: read as a string (exact), written as number or string. */
export type Numeric = ColumnType<string, number | string, number | string>;
/** A `jsonb` column holding T. */
export type Json<T> = ColumnType<T, string | T, string | T>;

export type PurposeId = 'crm' | 'prospecting' | 'training' | 'file_sharing' | 'connection_logs';

export interface PostalAddress {
  readonly label?: string;
  readonly line1: string;
  readonly line2?: string;
  readonly postcode: string;
  readonly city: string;
  readonly country: string;
}

export interface Phone {
  readonly number: string;
  readonly type?: 'mobile' | 'landline' | 'fax' | 'other';
}
