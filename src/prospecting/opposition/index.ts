/**
 * The opposition list's commands for people at work (R-PROS-3, P5.6): check (yes/no),
 * add, remove (dpo), list (dpo), import a file; over the list and keyed hashes of
 * src/rights/opposition.
 */
export {
  assertOppositionRight,
  checkOpposition,
  importOppositionFile,
  listOpposition,
  mayOnOpposition,
  recordOpposition,
  withdrawOpposition,
  type OppositionEntryView,
  type OppositionImportReport,
  type OppositionRight,
} from './commands.js';
