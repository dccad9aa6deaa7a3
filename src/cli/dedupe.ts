import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { RempartError } from '../errors.js';
import { dedupe, DEFAULTS, FIELD_KINDS, isFieldKind, readDedupeCsv, type DedupeField, type FieldKind } from '../prospecting/dedupe/index.js';

interface DedupeFlags {
  readonly id: string;
  readonly field: string[];
  readonly out: string;
  readonly json?: boolean;
  readonly matchThreshold?: string;
  readonly reviewThreshold?: string;
}

/** Reads `COLUMN:KIND` (the kind after the last colon, so a column name may hold one). */
export function parseFieldSpec(spec: string): { column: string; kind: FieldKind } {
  const at = spec.lastIndexOf(':');
  const column = at < 0 ? '' : spec.slice(0, at);
  const kind = at < 0 ? '' : spec.slice(at + 1);
  if (column === '' || !isFieldKind(kind)) {
    throw new RempartError('VALIDATION_FAILED', `--field "${spec}": expected COLUMN:KIND with KIND one of ${FIELD_KINDS.join(', ')}.`, {
      details: [{ field: '--field', message: at < 0 || column === '' ? 'missing COLUMN:KIND' : `unknown kind "${kind}"` }],
    });
  }
  return { column, kind };
}

function probability(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const p = Number(text);
  if (!(p > 0 && p < 1)) {
    throw new RempartError('VALIDATION_FAILED', `${flag} must be a probability strictly between 0 and 1, got "${text}".`, { details: [{ field: flag, message: 'not in (0, 1)' }] });
  }
  return p;
}

/** One CSV cell, quoted when it must be (RFC 4180). */
function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * `rempart dedupe FILE.csv --id COLUMN --field COLUMN:KIND … --out clusters.csv`: links the
 * rows of any CSV that are the same person or company (R-PROS-2) and writes `id,cluster`,
 * every input id once; the cluster is the id of its first row. Touches no store.
 */
export function registerDedupeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('dedupe')
    .description('find the rows of a CSV that are the same entity (record linkage); writes id,cluster')
    .argument('<file>', 'UTF-8 CSV with a header row')
    .requiredOption('--id <column>', 'column holding a unique id per row')
    .requiredOption(
      '--field <column:kind>',
      `a column to compare and its kind (${FIELD_KINDS.join(', ')}); repeat for each column`,
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .requiredOption('--out <file>', 'where to write id,cluster')
    .option('--json', 'print a JSON summary (records, pairs compared, clusters, review, time)')
    .option('--match-threshold <p>', 'match probability at which pairs are merged (default 0.9)')
    .option('--review-threshold <p>', 'match probability from which unmerged pairs are counted for review (default 0.5)')
    .action(async (file: string, opts: DedupeFlags) => {
      const started = performance.now();
      const specs = opts.field.map(parseFieldSpec);
      const seen = new Set<string>();
      for (const s of specs) {
        if (seen.has(s.column)) {
          throw new RempartError('VALIDATION_FAILED', `--field: column "${s.column}" is given twice.`, { details: [{ field: '--field', message: 'duplicate column' }] });
        }
        seen.add(s.column);
      }
      const matchThreshold = probability(opts.matchThreshold, '--match-threshold');
      const reviewThreshold = probability(opts.reviewThreshold, '--review-threshold');
      if ((reviewThreshold ?? DEFAULTS.reviewThreshold) > (matchThreshold ?? DEFAULTS.matchThreshold)) {
        throw new RempartError('VALIDATION_FAILED', '--review-threshold must not exceed --match-threshold.', {
          details: [{ field: '--review-threshold', message: 'above the match threshold' }],
        });
      }
      const csv = await readDedupeCsv(
        file,
        opts.id,
        specs.map((s) => s.column),
      );
      const fields: DedupeField[] = specs.map((s) => ({ name: s.column, kind: s.kind, values: csv.columns.get(s.column) ?? [] }));
      const result = dedupe({ fields }, { matchThreshold, reviewThreshold });
      const out = createWriteStream(opts.out);
      const chunk: string[] = ['id,cluster\n'];
      for (let i = 0; i < csv.ids.length; i++) {
        chunk.push(`${cell(csv.ids[i]!)},${cell(csv.ids[result.clusters[i]!]!)}\n`);
        if (chunk.length >= 10_000) {
          if (!out.write(chunk.join(''))) await once(out, 'drain');
          chunk.length = 0;
        }
      }
      out.end(chunk.join(''));
      await once(out, 'finish');
      const seconds = (performance.now() - started) / 1000;
      const summary = {
        records: result.records,
        pairsCompared: result.pairsCompared,
        clusters: result.clusterCount,
        merged: result.records - result.clusterCount,
        review: result.review.length,
        seconds: Math.round(seconds * 1000) / 1000,
        timingsMs: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)])),
      };
      if (opts.json) console.log(JSON.stringify(summary));
      else
        console.log(
          `${summary.records} records, ${summary.pairsCompared} pairs compared, ${summary.clusters} clusters (${summary.merged} rows merged), ${summary.review} pairs for review, ${seconds.toFixed(2)} s; wrote ${opts.out}`,
        );
      setExit(0);
    });
}
