// @ts-check
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { layerOf, mayImport } from './layers.config.js';

/**
 * `rempart/layers`: a file of src/ or web/ imports only its own layer and the layers before it in
 * layers.config.js (docs/ARCHITECTURE.md, "Layers"), and never test support. Type-only imports count too:
 * the layers are the design, not only what runs. Tests may import any layer.
 * @type {import('eslint').Rule.RuleModule}
 */
const layersRule = {
  meta: { type: 'problem', docs: { description: 'imports go downward only, by the table in layers.config.js' }, schema: [] },
  create(context) {
    const file = relative(context.cwd, context.filename).split(sep).join('/');
    const from = /\.test\.tsx?$/.test(file) ? undefined : layerOf(file);
    if (from === undefined) return {};
    /** @param {import('estree').Node | null | undefined} source */
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = relative(context.cwd, resolve(dirname(context.filename), source.value)).split(sep).join('/');
      const to = layerOf(target);
      if (to !== undefined && mayImport(from, to)) return;
      const message = to === undefined
        ? `${from.name} imports ${target}, outside src/ and web/ (test support is not in the build)`
        : `${from.name} may not import ${to.name} (${target}): layers import downward only (docs/ARCHITECTURE.md, Layers)`;
      context.report({ node: source, message });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      /** @param {import('estree').Node & { argument?: { type: string; literal?: import('estree').Node } }} node */
      TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : undefined),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The dependency graph (issue 18 item 3): no cycle, layers downward only. test/layers.test.ts checks
    // the same table over the whole graph, type-only imports included (no-cycle follows value imports).
    files: ['src/**/*.{ts,tsx}', 'web/**/*.{ts,tsx}', 'test/**/*.ts'],
    plugins: { 'import-x': importX, rempart: { rules: { layers: layersRule } } },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'rempart/layers': 'error',
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
