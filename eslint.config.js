import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The house boundary: only src/ui may import Ink or React; only src/live imports the SDK;
    // the simulator shares no code with the client it tests.
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['ink', 'ink/*', 'react', 'react/*'] }],
    },
  },
  {
    files: ['src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['ink', 'react', '../live/*', '@google/genai'] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.js', 'bin/*.js', '*.js', '*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    // Plain JS (bin, bench, configs) is linted without type information: keep the parser options
    // that say so, and add Node's globals.
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    // The entry is CommonJS (bin/package.json) because it starts faster than an ES module.
    files: ['bin/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
