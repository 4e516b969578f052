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
await build({
  absWorkingDir: root,
  entryPoints: {
    fos: 'src/entry.ts',
    // Started as a worker by src/commit/crypt-pool.ts, beside the chunk that starts it.
    'crypt-worker': 'src/commit/crypt-worker.ts',
    'ink-terminal': 'src/ui/ink-terminal.tsx',
    'ssh-server': 'src/ssh/server.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // Native addons and the packages that load them stay in node_modules. ink imports
  // react-devtools-core only when DEV=true, and it is not installed.
  external: ['better-sqlite3', 'ssh2', 'cpu-features', 'react-devtools-core'],
  // CommonJS packages inside the bundle call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __fosCreateRequire } from 'node:module'; const require = __fosCreateRequire(import.meta.url);",
  },
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: false,
  sourcemap: 'linked',
  logLevel: 'warning',
});
