// Lint rules that protect the queue engine: an unawaited promise there is a lost task,
// and src/core must stay free of transports so Slack and Discord plug in without changing it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'dist/**', 'bin/**', 'test/fixtures/**'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly' } },
  },
  {
    // The dashboard's browser script (served as is).
    files: ['src/dashboard/client/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', location: 'readonly', fetch: 'readonly', EventSource: 'readonly', DOMParser: 'readonly', Intl: 'readonly', alert: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/**', '**/store/**', '**/builders/**', '**/commands/**'], message: 'src/core must not depend on outer layers.' },
            { group: ['@slack/*', 'discord.js', 'node:child_process', 'child_process', 'lowdb', 'lowdb/*'], message: 'src/core knows no transport, no storage engine and no process spawning.' },
          ],
        },
      ],
    },
  },
);
