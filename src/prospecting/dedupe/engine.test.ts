import { describe, expect, it } from 'vitest';
import { dedupe } from './engine.js';
import { pairwiseQuality } from './metrics.js';
import { readDedupeCsv } from './read-csv.js';
import type { FieldKind } from './types.js';

const FEBRL = '/work/shared/data/linkage/febrl';
const FEBRL_FIELDS: readonly [string, FieldKind][] = [
  ['given_name', 'given_name'],
  ['surname', 'surname'],
  ['street_number', 'id_number'],
  ['address_1', 'address'],
  ['address_2', 'address'],
  ['suburb', 'city'],
  ['postcode', 'postcode'],
  ['state', 'text'],
  ['date_of_birth', 'date'],
  ['soc_sec_id', 'id_number'],
];

describe('dedupe (R-PROS-2)', () => {
  it('R-PROS-2 FEBRL dataset3: pairwise F1 ≥ 0.99 with the model choosing its weights and threshold', async () => {
    const csv = await readDedupeCsv(`${FEBRL}/dataset3.csv`, 'rec_id', FEBRL_FIELDS.map(([c]) => c));
    const result = dedupe({ fields: FEBRL_FIELDS.map(([name, kind]) => ({ name, kind, values: csv.columns.get(name)! })) });
    // rec-N-org and rec-N-dup-k are the same identity N.
    const truth = csv.ids.map((id) => /^rec-(\d+)-/.exec(id)![1]!);
    const q = pairwiseQuality(result.clusters, truth);
    expect(result.records).toBe(5000);
    expect(q.f1).toBeGreaterThanOrEqual(0.99);
    expect(result.model.converged).toBe(true);
  }, 60_000);

  it('R-PROS-2 links spelling variants, keeps strangers apart, and reviews only pairs of the uncertain band', () => {
    const given = ['Élodie', 'Elodie', 'Jean', 'Marie', 'Pierre', 'Lucie', 'Paul', 'Claire', 'Hugo', 'Emma', 'Louis', 'Jade'];
    const surname = ['Lefèvre', 'Lefebvre', 'Martin', 'Dubois', 'Durand', 'Moreau', 'Petit', 'Roux', 'Fournier', 'Girard', 'Bonnet', 'Lambert'];
    const email = ['e.lefevre@acme.fr', 'e.lefevre@acme.fr', 'jm@x.fr', 'md@y.fr', 'pd@z.fr', 'lm@w.fr', 'pp@v.fr', 'cr@u.fr', 'hf@t.fr', 'eg@s.fr', 'lb@r.fr', 'jl@q.fr'];
    const city = ['Lyon', 'Lyon', 'Paris', 'Lille', 'Nantes', 'Nice', 'Brest', 'Caen', 'Metz', 'Pau', 'Albi', 'Dax'];
    // Repeat the population so the model has enough pairs to learn from.
    const rep = <T>(xs: readonly T[], k: number, f: (x: T, r: number) => T): T[] => Array.from({ length: k }, (_, r) => xs.map((x) => f(x, r))).flat();
    const K = 40;
    const fields = [
      { name: 'given', kind: 'given_name' as const, values: rep(given, K, (x) => x) },
      { name: 'surname', kind: 'surname' as const, values: rep(surname, K, (x, r) => `${x}${r}`) },
      { name: 'email', kind: 'email' as const, values: rep(email, K, (x, r) => `${r}${x}`) },
      { name: 'city', kind: 'city' as const, values: rep(city, K, (x) => x) },
    ];
    const result = dedupe({ fields });
    const n = given.length * K;
    expect(result.clusters.length).toBe(n);
    // Records 0 and 1 of each repetition are one person; all others are alone.
    for (let r = 0; r < K; r++) {
      const base = r * given.length;
      expect(result.clusters[base + 1]).toBe(result.clusters[base]);
      for (let i = 2; i < given.length; i++) expect(result.clusters[base + i]).toBe(base + i);
    }
    expect(result.clusterCount).toBe(n - K);
    for (let k = 0; k < result.pairs.left.length; k++) {
      expect(result.pairs.left[k]).toBeLessThan(result.pairs.right[k]!);
      expect(result.pairs.probability[k]).toBeGreaterThanOrEqual(result.reviewThreshold);
    }
    for (const k of result.review) {
      expect(result.pairs.probability[k]).toBeLessThan(result.matchThreshold);
    }
  });

  it('R-PROS-2 refuses fields of different lengths and a review threshold above the match threshold', () => {
    expect(() =>
      dedupe({
        fields: [
          { name: 'a', kind: 'text', values: ['x', 'y'] },
          { name: 'b', kind: 'text', values: ['x'] },
        ],
      }),
    ).toThrow(/field "b" has 1 values, expected 2/);
    expect(() => dedupe({ fields: [{ name: 'a', kind: 'text', values: ['x'] }] }, { matchThreshold: 0.6, reviewThreshold: 0.8 })).toThrow(/reviewThreshold/);
  });

  it('R-PROS-2 missing values give no evidence and every record gets a cluster', () => {
    const result = dedupe({ fields: [{ name: 'email', kind: 'email', values: [null, '', undefined, 'a@b.fr'] }] });
    expect(Array.from(result.clusters)).toEqual([0, 1, 2, 3]);
  });
});
