/**
 * `rempart register export`: the register of processing activities (D1; GDPR Art. 30)
 * from the policy. Needs no database.
 */
import { Command, Option } from 'commander';
import { REGISTER_FORMATS, renderRegister, resolvePolicyFile, type Lang, type RegisterFormat } from '../documents/index.js';
import { loadPolicy } from '../policy/index.js';
import { trainingProcessorClients } from '../training/register.js';
import { openConfiguredStore } from './store.js';
import { emit } from './notice.js';

/** Registers `rempart register export`. */
export function registerRegisterCommands(program: Command, setExit: (code: number) => void): void {
  const register = program.command('register').description('the register of processing activities (GDPR Art. 30)');
  register
    .command('export')
    .description('print the register (as controller, Art. 30(1), and as processor, Art. 30(2)); no database needed')
    .addOption(new Option('--format <format>', 'output format (jsonld: W3C Data Privacy Vocabulary)').choices([...REGISTER_FORMATS]).default('md'))
    .addOption(new Option('--lang <lang>', 'language of the register').choices(['fr', 'en']).default('fr'))
    .addOption(new Option('--policy <file>', 'policy file (env REMPART_POLICY, default policies/certilience.yaml)'))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--engagements', 'read the training engagements from the store: one client line per engagement in the processor entry (Art. 30(2)(a))')
    .addOption(new Option('--data-dir <dir>', 'with --engagements: embedded database folder'))
    .addOption(new Option('--database-url <url>', 'with --engagements: PostgreSQL server URL'))
    .action(async (flags: { readonly format: RegisterFormat; readonly lang: Lang; readonly policy?: string; readonly out?: string; readonly engagements?: boolean; readonly dataDir?: string; readonly databaseUrl?: string }) => {
      const policy = await loadPolicy(resolvePolicyFile(flags.policy));
      let clients;
      if (flags.engagements) {
        const { store } = await openConfiguredStore({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}), ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}) }, 'rempart register export');
        try {
          clients = await trainingProcessorClients(store.db);
        } finally {
          await store.close();
        }
      }
      await emit(await renderRegister(policy, { lang: flags.lang, format: flags.format, ...(clients ? { clients } : {}) }), flags.out);
      setExit(0);
    });
}
