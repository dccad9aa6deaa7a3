import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { createAccessRuntime } from '../access/runtime.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { dedupeProspectBase } from '../prospecting/import/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

type Flags = StoreFlags & { json?: boolean; as?: string };

/**
 * `rempart prospects dedupe [--json]`: the whole-base record-linkage pass (R-PROS-2):
 * merges the clusters of prospects found to be one person, queues the uncertain pairs for
 * review. A `prospects` command of its own, since `rempart dedupe FILE.csv …` takes a
 * file argument that a subcommand would shadow.
 */
export function registerProspectsDedupeCommand(program: Command, setExit: (code: number) => void): void {
  const prospects = program.command('prospects').description('the prospect base');
  withStoreOptions(
    prospects
      .command('dedupe')
      .description('find the prospects that are one person (record linkage on the whole base): merge the sure pairs, queue the uncertain ones for review')
      .option('--json', 'print the report as JSON')
      .option('--as <role>', 'act as this role of the policy instead of the operator (audited either way)'),
  ).action(async (opts: Flags) => {
    const { config, store } = await openConfiguredStore(opts, 'rempart prospects dedupe');
    try {
      const policy = await loadPolicy(config.policyFile);
      if (opts.as !== undefined && !policy.roles.some((r) => r.id === opts.as)) {
        throw new RempartError('VALIDATION_FAILED', `Unknown role "${opts.as}".`, { details: [{ field: '--as', message: 'is not a role of the policy' }] });
      }
      const actor = cliActor(opts.as ?? null);
      const now = new Date();
      const access = createAccessRuntime({ db: store.db, policy, now: () => now, chainer: false });
      try {
        // Merging updates one record and deletes the other: both grants are needed.
        await access.gate.for(actor).assertCan('update', 'prospecting', 'identity', 'dedupe-pass');
        await access.gate.for(actor).assertCan('delete', 'prospecting', 'identity', 'dedupe-pass');
        const r = await dedupeProspectBase(store.db, { actor, key: loadOrCreateServerKey(config.dataDir), now });
        const { mergedInto: _ids, ...report } = r;
        if (opts.json) console.log(JSON.stringify(report));
        else
          console.log(
            `${r.prospects} prospects, ${r.pairsCompared} pairs compared: ${r.merged} merged, ${r.queuedForReview} queued for review (GET /api/v1/dedupe/review)` +
              `${r.skippedRestricted > 0 ? `, ${r.skippedRestricted} left alone (restricted, GDPR Art. 18)` : ''}${r.skippedRejected > 0 ? `, ${r.skippedRejected} rejected before` : ''}`,
          );
        setExit(0);
      } finally {
        await access.close();
      }
    } finally {
      await store.close();
    }
  });
}
