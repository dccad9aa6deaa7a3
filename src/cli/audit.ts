import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { auditPublicKey, createCheckpoint, loadAuditKey, loadOrCreateAuditKey, verifyAndRecord } from '../access/audit/index.js';
import { apiTarget, callApi, withApiOptions, type ApiFlags } from './api-client.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import type { AuditVerification } from '../access/audit/index.js';
import { openConfiguredStore } from './store.js';

/**
 * `rempart audit verify|checkpoint`: checks the tamper-evident audit trail (P2.5; exit 1
 * naming the first bad entry) and signs a checkpoint of it.
 */
export function registerAuditCommands(program: Command, setExit: (code: number) => void): void {
  const audit = program.command('audit').description('the tamper-evident audit trail (P2.5)');

  withApiOptions(
    withStoreOptions(audit.command('verify').description('recompute the audit hash chain; exit 1 naming the first altered, deleted, inserted or reordered entry')),
  ).action(async (opts: StoreFlags & ApiFlags) => {
    const target = apiTarget(opts);
    if (target !== null) {
      // The server verifies with its own signing key and records the outcome, as here.
      const v = await callApi<AuditVerification>(target, 'POST', '/audit/verify');
      console.log(v.ok ? `ok: ${v.entries} entries` : `audit chain broken at entry ${v.seq}: ${v.problem} (${v.message})`);
      setExit(v.ok ? 0 : 1);
      return;
    }
    const { config, store } = await openConfiguredStore(opts, 'rempart audit verify', { api: true });
    try {
      // With the signing key at hand, checkpoints must verify with it, not just with the key stored beside them.
      const key = loadAuditKey({ dataDir: config.dataDir });
      // Recorded, so the dpo's dashboard shows the last verification (audit_verifications).
      const { result } = await verifyAndRecord(store.db, cliActor().id, new Date(), key ? { trustedKeys: [auditPublicKey(key)] } : {});
      if (result.ok) {
        console.log(`ok: ${result.entries} entries`);
        setExit(0);
      } else {
        console.log(`audit chain broken at entry ${result.seq}: ${result.problem} (${result.message})`);
        setExit(1);
      }
    } finally {
      await store.close();
    }
  });

  withStoreOptions(
    audit
      .command('checkpoint')
      .description(`sign (Ed25519) the newest audit entry, so older entries may be pruned; key from REMPART_AUDIT_SIGNING_KEY or <data-dir>/keys`),
  ).action(async (opts: StoreFlags) => {
    const { config, store } = await openConfiguredStore(opts, 'rempart audit checkpoint');
    try {
      const checkpoint = await createCheckpoint(store.db, loadOrCreateAuditKey({ dataDir: config.dataDir }));
      console.log(checkpoint ? `checkpoint at entry ${checkpoint.seq}: ${checkpoint.hash}` : 'no audit entries to checkpoint');
      setExit(0);
    } finally {
      await store.close();
    }
  });
}
