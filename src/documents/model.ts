/**
 * One document model for the notice and the register, rendered to Markdown, HTML and
 * PDF: the three forms say the same thing because they come from the same blocks.
 */
import type { Lang } from './words.js';

/** A run of text; `strong` runs are emphasised (bold in every form). */
export interface Run {
  readonly text: string;
  readonly strong?: boolean;
}

/** Text with optional emphasis: a plain string or runs. */
export type Inline = string | readonly Run[];

/** One block of a document. */
export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: Inline }
  | { readonly kind: 'list'; readonly items: readonly Inline[] }
  /** Label–values pairs (a register entry): one value on the line, several as a sub-list. */
  | { readonly kind: 'fields'; readonly rows: readonly { readonly label: string; readonly values: readonly Inline[] }[] };

/** A titled document in one language. */
export interface DocumentModel {
  readonly lang: Lang;
  readonly title: string;
  /** A line under the title (version, date). */
  readonly subtitle?: string;
  readonly blocks: readonly Block[];
}

/** The runs of an inline text. */
export function runs(text: Inline): readonly Run[] {
  return typeof text === 'string' ? [{ text }] : text;
}

/** The plain text of an inline text. */
export function plain(text: Inline): string {
  return runs(text)
    .map((r) => r.text)
    .join('');
}
