#!/usr/bin/env node
// The built CLI lives in dist/ (built by `npm run build`, which `npm install` runs through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('rempart: dist/ is missing; run `npm run build` (npm install runs it through `prepare`).');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
