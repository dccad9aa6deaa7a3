import { Option, type Command } from 'commander';
import { addPartner, listPartners, PARTNER_KINDS, type PartnerKind } from '../consent/index.js';
import { SAFEGUARDS, type Safeguard } from '../policy/types.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

type AddFlags = StoreFlags & {
  name: string;
  kind: PartnerKind;
  country: string;
  safeguard?: Safeguard;
  purposes?: string;
  objectionContact?: string;
  webhookUrl?: string;
  hmacSecret?: string;
  email?: string;
};

/**
 * `rempart partners add|list`: the registry of group companies and partners a client file
 * may go to (annex art. 1; P1.6), refusing one outside the EU/EEA with no transfer ground (P3.1).
 */
export function registerPartnerCommands(program: Command, setExit: (code: number) => void): void {
  const partners = program.command('partners').description('group companies and partners client files may be exchanged with (P1.6, P3.1)');
  withStoreOptions(
    partners
      .command('add')
      .description('register a partner; one outside the EU/EEA needs an adequacy decision or a safeguard (scc, bcr)')
      .requiredOption('--name <name>', 'the company name')
      .addOption(new Option('--kind <kind>', 'group_company or partner').choices([...PARTNER_KINDS]).makeOptionMandatory())
      .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 country code')
      .addOption(new Option('--safeguard <safeguard>', 'adequacy (incl. a DPF-certified US recipient), scc or bcr').choices([...SAFEGUARDS]))
      .option('--purposes <list>', 'comma-separated purposes the partner uses the data for')
      .option('--objection-contact <contact>', "where people object to the partner's processing")
      .option('--webhook-url <url>', 'endpoint for signed withdrawal notices (with --hmac-secret)')
      .option('--hmac-secret <secret>', 'shared secret signing the notices')
      .option('--email <email>', 'service address for notices when there is no webhook'),
  ).action(async (opts: AddFlags) => {
    const { store } = await openConfiguredStore(opts, 'rempart partners add');
    try {
      const p = await addPartner(
        store.db,
        {
          name: opts.name,
          kind: opts.kind,
          country: opts.country,
          safeguard: opts.safeguard ?? null,
          ...(opts.purposes ? { purposes: opts.purposes.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
          objectionContact: opts.objectionContact ?? null,
          webhookUrl: opts.webhookUrl ?? null,
          hmacSecret: opts.hmacSecret ?? null,
          email: opts.email ?? null,
        },
        new Date(),
      );
      console.log(`${p.id}\t${p.name}\t${p.country}\t${p.transferGround}`);
      setExit(0);
    } finally {
      await store.close();
    }
  });

  withStoreOptions(partners.command('list').description('list the partners: id, name, kind, country, transfer ground').option('--json', 'as JSON')).action(
    async (opts: StoreFlags & { json?: boolean }) => {
      const { store } = await openConfiguredStore(opts, 'rempart partners list');
      try {
        const all = await listPartners(store.db);
        if (opts.json) console.log(JSON.stringify(all, null, 2));
        else for (const p of all) console.log(`${p.id}\t${p.name}\t${p.kind}\t${p.country}\t${p.transferGround}`);
        setExit(0);
      } finally {
        await store.close();
      }
    },
  );
}
