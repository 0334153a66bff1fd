// Flat ESLint config: typescript-eslint recommended rules, plus the simulator's determinism rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Code that runs inside the simulator may read time and randomness only through the environment
// seams (sim/core/env.ts). Real implementations live in files named real-*.ts, in sim/interop,
// sim/cli and sim/bench, which are exempt.
const determinism = {
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Use a seeded stream from env.rng.' },
    { object: 'Date', property: 'now', message: 'Use env.clock.nowNs().' },
    { object: 'performance', property: 'now', message: 'Use env.clock.nowNs().' },
    { object: 'process', property: 'hrtime', message: 'Use env.clock.nowNs().' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Use env.clock.setTimer().' },
    { name: 'setInterval', message: 'Use env.clock.setTimer().' },
    { name: 'setImmediate', message: 'Use env.clock.setTimer().' },
  ],
  'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'Use env.clock.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', 'images/build/**', '.cache/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['sim/**/*.ts', 'scenarios/**/*.ts'],
    ignores: ['sim/**/real-*.ts', 'sim/interop/**', 'sim/cli/**', 'sim/bench/**'],
    rules: determinism,
  },
);
