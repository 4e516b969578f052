// `npm run build`, after tsc: the `fos` command as a few bundled files in
// dist/bundle/ (bin/fos.js prefers them), because loading some 900 separate
// modules took most of every start (and minutes under emulation, in the
// router image). ink's front-end with react, and the SSH server, are entries
// of their own, loaded only by a process that uses them
// (test/start-up.test.ts looks for these names).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: false,
  sourcemap: 'linked',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: {
    fos: 'src/entry.ts',
    // Started as a worker by src/commit/crypt-pool.ts, beside the chunk that starts it.
    'crypt-worker': 'src/commit/crypt-worker.ts',
    'ink-terminal': 'src/ui/ink-terminal.tsx',
    'ssh-server': 'src/ssh/server.ts',
  },
  outdir,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunk-[hash]',
  // Native addons and the packages that load them stay in node_modules. ink imports
  // react-devtools-core only when DEV=true, and it is not installed.
  external: ['better-sqlite3', 'ssh2', 'cpu-features', 'react-devtools-core'],
  // CommonJS packages inside the bundle call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __fosCreateRequire } from 'node:module'; const require = __fosCreateRequire(import.meta.url);",
  },
});

// The router image's daemon (bin/fos-cached.cjs): the same `fos` as one CommonJS file,
// the SSH server and ssh2 inside it, so that Node can load it through a V8 code cache
// (vm.Script's cachedData covers scripts, not ES modules; Node 20 has no module compile
// cache). ink stays the ES module entry above (yoga-layout awaits at its top level),
// imported from beside this file by the first terminal that draws with it.
await build({
  ...common,
  entryPoints: ['src/entry.ts'],
  outfile: join(outdir, 'fos.cjs'),
  format: 'cjs',
  external: ['better-sqlite3', 'cpu-features', 'react-devtools-core'],
  plugins: [
    {
      name: 'ink-terminal-beside',
      setup(b) {
        b.onResolve({ filter: /^\.\/ink-terminal\.js$/ }, (a) => ({
          path: a.path,
          external: true,
        }));
      },
    },
  ],
  define: { 'import.meta.url': '__fosModuleUrl' },
  banner: { js: "const __fosModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
