import { seedDemo } from '../demo/seed.js';
import { RempartError } from '../errors.js';
import type { StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

/** Parses a positive integer option, or fails naming the option. */
export function positiveInt(value: string, option: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new RempartError('CONFIG_INVALID', `${option} must be a positive integer, got "${value}"`, { details: [{ field: option, message: 'must be a positive integer' }] });
  }
  return Number(value);
}

/** `rempart demo seed`: adds deterministic demo data; refuses a data dir a server holds (the lock). */
export async function demoSeedCommand(flags: StoreFlags & { people: string; seed: string }): Promise<number> {
  const people = positiveInt(flags.people, '--people');
  const seed = positiveInt(flags.seed, '--seed');
  const { store } = await openConfiguredStore(flags, 'rempart demo seed');
  try {
    const counts = await seedDemo(store.db, { people, seed, now: new Date() });
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`${store.location}: seeded ${counts.people} people, ${total} rows in all`);
    return 0;
  } finally {
    await store.close();
  }
}
