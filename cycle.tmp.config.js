import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
export default [
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser },
    plugins: { 'import-x': importX },
    settings: { ...importX.flatConfigs.typescript.settings, 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })] },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }], 'import-x/no-unresolved': 'error' } },
];
