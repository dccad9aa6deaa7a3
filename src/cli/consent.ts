import { Option, type Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { activeScopeConsents, consentHistory, CONSENT_STATES, CONTROLLER_SCOPES, recordConsent, type ConsentDeps, type ConsentState, type ControllerScope } from '../consent/index.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

type RecordFlags = StoreFlags & { person: string; scope: ControllerScope; state?: ConsentState; channel: string; evidence?: string; at?: string; text?: string; language?: 'fr' | 'en' };

/**
 * `rempart consent record|withdraw|show`: consent to the controller's own email
 * prospecting and open tracking (L34-5 CPCE, R-PROS-6; CNIL on pixels, R-PROS-10), as an
 * operator enters it from paper, phone or a file, with its proof. The same command as the
 * API's (src/consent/events.ts); no receipt is mailed from the CLI (no mailer here).
 */
export function registerConsentCommands(program: Command, setExit: (code: number) => void): void {
  const consent = program.command('consent').description("consent to the controller's email prospecting and open tracking (R-PROS-6, R-PROS-10)");
  const deps = async (opts: StoreFlags, command: string): Promise<{ deps: ConsentDeps; close: () => Promise<void> }> => {
    const { config, store } = await openConfiguredStore(opts, command);
    const policy = await loadPolicy(config.policyFile);
    return { deps: { db: store.db, policy, now: () => new Date(), serverKey: loadOrCreateServerKey(config.dataDir) }, close: () => store.close() };
  };
  const scopeOption = () => new Option('--scope <scope>', CONTROLLER_SCOPES.join(' or ')).choices([...CONTROLLER_SCOPES]).makeOptionMandatory();

  withStoreOptions(
    consent
      .command('record')
      .description('record a consent given, refused or withdrawn, with how and when it was expressed and its proof')
      .requiredOption('--person <id>', 'the person id')
      .addOption(scopeOption())
      .addOption(new Option('--state <state>', 'given, refused or withdrawn').choices([...CONSENT_STATES]).default('given'))
      .requiredOption('--channel <channel>', 'how it was expressed: paper, phone, email, web_form, portal, import…')
      .option('--evidence <proof>', 'the proof: form id, recording reference; for import, the file, row and where it was collected')
      .option('--at <iso-time>', 'when the person expressed it, if before now')
      .option('--text <text>', 'the exact text the person was shown (default: the notice text)')
      .addOption(new Option('--language <lang>', 'language of the default text').choices(['fr', 'en'])),
  ).action(async (opts: RecordFlags) => {
    const at = opts.at === undefined ? undefined : new Date(opts.at);
    if (at !== undefined && Number.isNaN(at.getTime())) throw new RempartError('VALIDATION_FAILED', '--at must be an ISO 8601 time.', { details: [{ field: '--at', message: 'not a time' }] });
    const { deps: d, close } = await deps(opts, 'rempart consent record');
    try {
      const r = await recordConsent(d, {
        personId: opts.person,
        scope: opts.scope,
        state: opts.state ?? 'given',
        channel: opts.channel,
        collector: cliActor().id,
        ...(opts.evidence === undefined ? {} : { evidence: opts.evidence }),
        ...(at === undefined ? {} : { eventAt: at }),
        ...(opts.text === undefined ? {} : { textShown: opts.text }),
        ...(opts.language === undefined ? {} : { language: opts.language }),
      });
      for (const e of r.events) console.log(`${e.id}\t${e.scope}\t${e.state}\t${e.eventAt}`);
      setExit(0);
    } finally {
      await close();
    }
  });

  withStoreOptions(
    consent
      .command('withdraw')
      .description('withdraw a consent in one step, effective at once (GDPR Art. 7(3))')
      .requiredOption('--person <id>', 'the person id')
      .addOption(scopeOption())
      .option('--channel <channel>', 'how the person asked', 'cli')
      .option('--evidence <proof>', 'the proof of the request, if any'),
  ).action(async (opts: StoreFlags & { person: string; scope: ControllerScope; channel: string; evidence?: string }) => {
    const { deps: d, close } = await deps(opts, 'rempart consent withdraw');
    try {
      const r = await recordConsent(d, { personId: opts.person, scope: opts.scope, state: 'withdrawn', channel: opts.channel, collector: cliActor().id, ...(opts.evidence === undefined ? {} : { evidence: opts.evidence }) });
      for (const e of r.events) console.log(`${e.id}\t${e.scope}\t${e.state}\t${e.eventAt}`);
      setExit(0);
    } finally {
      await close();
    }
  });

  withStoreOptions(consent.command('show').description("a person's consents to these scopes: active now, and the history").requiredOption('--person <id>', 'the person id').option('--json', 'as JSON')).action(
    async (opts: StoreFlags & { person: string; json?: boolean }) => {
      const { deps: d, close } = await deps(opts, 'rempart consent show');
      try {
        const now = d.now();
        const active: Record<string, boolean> = {};
        for (const scope of CONTROLLER_SCOPES) active[scope] = (await activeScopeConsents(d.db, scope, [opts.person], now)).has(opts.person);
        const history = (await consentHistory(d.db, opts.person)).filter((e) => e.scope !== 'file_sharing');
        if (opts.json) console.log(JSON.stringify({ active, history }, null, 2));
        else {
          for (const scope of CONTROLLER_SCOPES) console.log(`${scope}\t${active[scope] ? 'active' : 'not active'}`);
          for (const e of history) console.log(`${e.eventAt.toISOString()}\t${e.scope}\t${e.state}\t${e.channel}\t${e.collector}\t${e.evidence ?? ''}`);
        }
        setExit(0);
      } finally {
        await close();
      }
    },
  );
}
