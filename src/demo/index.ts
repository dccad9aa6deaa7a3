/** Deterministic French demo data: the generator, the seeder and the SIREN/SIRET rules they rely on. */
export {
  DEMO_TABLES,
  generateDemo,
  zeroCounts,
  type ContractAge,
  type DemoChunk,
  type DemoCounts,
  type DemoOptions,
  type DemoTable,
} from './generate.js';
export { hasPeople, seedDemo, type SeedDemoOptions, type SeedProgress } from './seed.js';
export { isValidSiren, isValidSiret, LA_POSTE_SIREN, luhnCheckDigit, makeSiren, makeSiret, type Rng } from '../identifiers/siret.js';
