// Lint rules from STYLE.md "Tooling": recommended bases, a few type-aware rules that catch real
// bugs (lost promises, non-exhaustive switches), and per-folder import bans that keep the
// architecture's direction (workflows stay deterministic, lib stays pure, web never runs
// activities).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

/** Every Node builtin, bare (`fs`, `fs/promises`) and prefixed (`node:*` is a pattern below). */
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));

const NODE_BUILTIN_BAN = {
  paths: NODE_BUILTINS.map((name) => ({ name, message: 'Node builtins do not belong here.' })),
  patterns: [{ group: ['node:*'], message: 'Node builtins do not belong here.' }],
};

/** Import-string regexes for the top-level folders, reached relatively from anywhere. */
const folder = (name) => `^(\\.\\./)+${name}(/|$)`;

const WORKFLOW_MESSAGE =
  'Workflows are deterministic and bundled for the Temporal sandbox: no I/O, Node builtins, ' +
  'Prisma, S3, ONNX, or activity code (import type is fine).';

/** Builds a `@typescript-eslint/no-restricted-imports` entry from path names and patterns. */
function restrict({ paths = [], patterns = [] }) {
  return ['error', { paths, patterns }];
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.data/',
      'prisma/generated/',
      'dist/',
      'bench/results/',
      'tests/screenshots/',
      'trainer/',
      'web/static/',
      'web/ui/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver()],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/client/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict({
        paths: [
          ...NODE_BUILTIN_BAN.paths.map((path) => ({ ...path, message: WORKFLOW_MESSAGE })),
          { name: 'onnxruntime-node', message: WORKFLOW_MESSAGE },
        ],
        patterns: [
          { group: ['node:*', '@prisma/*', '@aws-sdk/*'], message: WORKFLOW_MESSAGE },
          { regex: '(^|/)prisma/generated(/|$)', message: WORKFLOW_MESSAGE },
          { regex: folder('activities'), allowTypeImports: true, message: WORKFLOW_MESSAGE },
        ],
      }),
    },
  },
  {
    files: ['web/**/*.ts'],
    ignores: ['web/ui/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict({
        patterns: [
          {
            regex: folder('activities'),
            message: 'web/ uses the Temporal client, never activities.',
          },
        ],
      }),
    },
  },
  {
    files: ['web/ui/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict({
        paths: NODE_BUILTIN_BAN.paths.map((path) => ({
          ...path,
          message: 'web/ui runs in the browser.',
        })),
        patterns: [
          { group: ['node:*'], message: 'web/ui runs in the browser.' },
          {
            regex: folder('activities'),
            message: 'web/ uses the Temporal client, never activities.',
          },
          {
            regex: '^\\.\\./(\\.\\./)?server/',
            allowTypeImports: true,
            message: 'web/ui runs in the browser: take server shapes with import type only.',
          },
        ],
      }),
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict({
        patterns: [
          {
            regex: `${folder('(activities|web|infra)')}`,
            message: 'lib/ is pure code shared by both sides; it may not depend on outer layers.',
          },
          {
            regex: folder('workflows'),
            allowTypeImports: true,
            message: 'lib/ may take workflow types only (import type).',
          },
        ],
      }),
    },
  },
);
