// @ts-check
// The layers of the code, bottom first (docs/ARCHITECTURE.md, "Layers"; issue 18 item 3). A source file of
// src/ or web/ may import its own layer and the layers listed before it, never one after it, never test
// support (test/, e2e/, bench/): `npm install --omit=dev` must give a working server. eslint.config.js turns
// this table into a lint rule and test/layers.test.ts checks the whole graph against it (and the docs' copy).
// A file belongs to the first layer whose pattern matches it, so the specific patterns come first.

/**
 * @typedef {object} Layer
 * @property {string} name
 * @property {readonly string[]} paths the files of the layer
 * @property {readonly string[]} [except] files the paths match that belong to a later layer
 * @property {readonly string[]} [mayImport] when set, the only other layers it may import (none: by rank)
 */

/** @type {readonly Layer[]} */
export const LAYERS = Object.freeze([
  { name: 'errors', paths: ['src/errors.ts'] },
  { name: 'i18n', paths: ['src/i18n/**'] },
  { name: 'identifiers', paths: ['src/identifiers/**'] },
  { name: 'policy', paths: ['src/policy/**'] },
  { name: 'schema', paths: ['src/db/column-types.ts', 'src/db/schema.ts', 'src/**/tables.ts'] },
  { name: 'db', paths: ['src/db/**'] },
  { name: 'catalogue', paths: ['src/catalogue/**', 'src/**/catalogue-entries.ts'] },
  { name: 'mail', paths: ['src/mail/**'] },
  { name: 'http', paths: ['src/http/**'] },
  { name: 'config', paths: ['src/config.ts'] },
  { name: 'crm', paths: ['src/crm/**'], except: ['src/crm/routes.ts'] },
  { name: 'access', paths: ['src/access/**'] },
  { name: 'crm-routes', paths: ['src/crm/routes.ts'] },
  { name: 'demo', paths: ['src/demo/**'] },
  { name: 'rights', paths: ['src/rights/**'], except: ['src/rights/executor.ts', 'src/rights/portal/**'] },
  { name: 'documents', paths: ['src/documents/**'] },
  { name: 'consent', paths: ['src/consent/**'] },
  { name: 'prospecting-import', paths: ['src/prospecting/normalise/**', 'src/prospecting/dedupe/**', 'src/prospecting/import/**', 'src/prospecting/opposition/**'] },
  { name: 'training', paths: ['src/training/**'] },
  { name: 'retention', paths: ['src/retention/**'] },
  { name: 'prospecting-outreach', paths: ['src/prospecting/campaigns/**', 'src/prospecting/stats/**'] },
  { name: 'rights-workflows', paths: ['src/rights/executor.ts', 'src/rights/portal/**'] },
  { name: 'oversight', paths: ['src/oversight/**'] },
  { name: 'backup', paths: ['src/backup/**'] },
  { name: 'jobs', paths: ['src/jobs/**'] },
  { name: 'app', paths: ['src/app.ts'] },
  { name: 'cli', paths: ['src/cli/**'] },
  // The browser bundles share nothing with the server's modules (they talk to it over HTTP) nor each other.
  { name: 'web-backoffice', paths: ['web/src/**'], mayImport: [] },
  { name: 'web-portal', paths: ['web/portal/**'], mayImport: [] },
  { name: 'web-build', paths: ['web/*.ts'], mayImport: [] },
]);

/** Turns a `**` / `*` pattern into a regular expression over a repository-relative path. */
function patternRegExp(/** @type {string} */ pattern) {
  const body = pattern
    .split('**/')
    .map((part) => part.split('**').map((p) => p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*'))
    .join('(?:.*/)?');
  return new RegExp(`^${body}$`);
}

const COMPILED = LAYERS.map((layer, rank) => ({
  layer,
  rank,
  match: layer.paths.map(patternRegExp),
  except: (layer.except ?? []).map(patternRegExp),
}));

/** The layer of a repository-relative path ('src/db/ids.ts'; '.js' is read as '.ts'), or undefined. */
export function layerOf(/** @type {string} */ path) {
  const file = path.replace(/\\/g, '/').replace(/\.js$/, '.ts').replace(/\.jsx$/, '.tsx');
  for (const c of COMPILED) {
    if (c.match.some((r) => r.test(file)) && !c.except.some((r) => r.test(file))) return c.layer;
  }
  return undefined;
}

/** Whether a file of layer `from` may import one of layer `to`: its own layer, or one listed before it. */
export function mayImport(/** @type {Layer} */ from, /** @type {Layer} */ to) {
  if (from.name === to.name) return true;
  if (from.mayImport !== undefined) return from.mayImport.includes(to.name);
  return LAYERS.indexOf(to) < LAYERS.indexOf(from);
}
