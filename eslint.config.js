// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules that touch the system; the pure layers may not import them. */
const systemModules = [
  'execa',
  'better-sqlite3',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'ink',
  'react',
];

/**
 * The layers of ARCHITECTURE.md, top to bottom: a layer may import the layers
 * above it, never those below.
 */
const layers = [
  'grammar',
  'src/schema',
  'src/config',
  'src/session',
  'src/verify',
  'src/render',
  'src/apply',
  'src/backends',
  'src/store',
  'src/commit',
  'src/op',
  'src/cli',
  'src/ui',
  'src/ssh',
  'src/daemon',
];
const pureLayers = new Set([
  'grammar',
  'src/schema',
  'src/config',
  'src/session',
  'src/verify',
  'src/render',
  'src/cli',
]);

/** Layers that reach the system only through src/apply's drivers. */
const driverOnlyLayers = new Set(['src/backends']);
/**
 * Layers that touch the system but draw nothing: an operational command
 * returns data and a text view of it, and the front-ends draw the text.
 */
const drawsNothing = new Set(['src/op']);
const uiModules = ['ink', 'react'];

const layerRules = layers.map((layer, index) => {
  const below = layers.slice(index + 1).map((l) => l.replace(/^src\//, ''));
  const patterns = below.map((name) => ({
    group: [`**/${name}/*`, `**/${name}`],
    message: `${layer} may not import ${name}: a layer imports only the layers above it.`,
  }));
  patterns.push({
    group: ['**/main', '**/main.js'],
    message: 'Only the entry point wires the layers together.',
  });
  const paths = pureLayers.has(layer)
    ? systemModules.map((name) => ({
        name,
        message: `${layer} is a pure layer: no processes, files, sockets, SQLite or UI here.`,
      }))
    : driverOnlyLayers.has(layer)
      ? systemModules.map((name) => ({
          name,
          message: `${layer} reaches the system only through the drivers in src/apply.`,
        }))
      : drawsNothing.has(layer)
        ? uiModules.map((name) => ({
            name,
            message: `${layer} draws nothing: a command returns data and a text view; src/ui draws.`,
          }))
        : [];
  return {
    files: [`${layer}/**/*.ts`, `${layer}/**/*.tsx`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/cases/**', 'images/out/**', 'images/cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['bin/**/*.js', '*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  {
    // bin/fos-cached.cjs and what it shares with bin/fos.js: CommonJS, run by plain Node.
    files: ['bin/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Test programs that run inside namespaces under plain Node.
    files: ['test/helpers/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerRules,
);
