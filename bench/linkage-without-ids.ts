/**
 * Issue 17, item 8: linkage without a strong identifier. Runs `dedupe` on the FEBRL sets
 * with `soc_sec_id` removed, and on a thin variant (given name, surname, town, date of
 * birth only: "a list of names with dates of birth and towns"), and prints pairwise
 * precision, recall and F1 against the known truth.
 *   npx tsx bench/linkage-without-ids.ts [--thin] [--fixed-u]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dedupe } from '../src/prospecting/dedupe/index.js';
import { pairwiseQuality } from '../src/prospecting/dedupe/metrics.js';
import { readDedupeCsv } from '../src/prospecting/dedupe/read-csv.js';
import type { FieldKind } from '../src/prospecting/dedupe/types.js';

const DIR = [process.env.FEBRL_DIR, '/work/shared/data/linkage/febrl', join('..', 'shared', 'data', 'linkage', 'febrl')].find((d) => d && existsSync(join(d, 'dataset3.csv')));
if (!DIR) {
  console.log('FEBRL sets not found (set FEBRL_DIR): nothing measured');
  process.exit(0);
}
const ALL: [string, FieldKind][] = [
  ['given_name', 'given_name'], ['surname', 'surname'], ['street_number', 'id_number'], ['address_1', 'address'], ['address_2', 'address'],
  ['suburb', 'city'], ['postcode', 'postcode'], ['state', 'text'], ['date_of_birth', 'date'],
];
const thin = process.argv.includes('--thin');
const FIELDS = thin ? ALL.filter(([c]) => ['given_name', 'surname', 'suburb', 'date_of_birth'].includes(c)) : ALL;
for (const files of [['dataset1.csv'], ['dataset2.csv'], ['dataset3.csv'], ['dataset4a.csv', 'dataset4b.csv']]) {
  const ids: string[] = [];
  const cols = FIELDS.map(() => [] as (string | null)[]);
  for (const f of files) {
    const csv = await readDedupeCsv(join(DIR, f), 'rec_id', FIELDS.map(([c]) => c));
    ids.push(...csv.ids);
    FIELDS.forEach(([c], i) => cols[i]!.push(...csv.columns.get(c)!));
  }
  const truth = ids.map((id) => /^rec-(\d+)-/.exec(id)![1]!);
  const t = performance.now();
  const r = dedupe({ fields: FIELDS.map(([name, kind], i) => ({ name, kind, values: cols[i]! })) }, process.argv.includes('--fixed-u') ? { estimateUInCandidates: false } : {});
  const q = pairwiseQuality(r.clusters, truth);
  console.log(`${files.join('+')} ${ids.length} records${thin ? ' (thin)' : ''}: precision ${q.precision.toFixed(4)} recall ${q.recall.toFixed(4)} F1 ${q.f1.toFixed(4)} in ${Math.round(performance.now() - t)} ms`);
}
