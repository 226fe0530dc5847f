// Lint: typescript-eslint's recommended rules, plus a ban on building shell strings.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'node:child_process', importNames: ['exec', 'execSync'], message: 'Spawn with an argument array (execFile/spawn), never a shell string.' }] }],
    },
  },
  { ignores: ['node_modules/**', 'dist/**'] },
);
