#!/usr/bin/env node
// The `fos` command. Runs the built JavaScript in dist/ (`npm run build`): the
// bundle in dist/bundle when it is as new as the compiled tree (tsc alone
// rebuilds only the tree), else the tree itself.
import { statSync } from 'node:fs';

const bundled = new URL('../dist/bundle/fos.js', import.meta.url);
const compiled = new URL('../dist/src/entry.js', import.meta.url);
const built = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs;
const bundledAt = built(bundled);
const compiledAt = built(compiled);
if (bundledAt === undefined && compiledAt === undefined) {
  process.stderr.write('fos: not built yet; run `npm run build` (or ./setup.sh) first\n');
  process.exit(70);
}
const entry =
  bundledAt !== undefined && (compiledAt === undefined || bundledAt >= compiledAt)
    ? bundled
    : compiled;
// Colour is decided per session: plain sessions never colour, and the ink
// front-end is used only for terminals that asked for it. The colour library
// under ink decides once per process from our own stdout, which for a daemon is
// no terminal, so it is told here that colour may be used.
if (process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined)
  process.env.FORCE_COLOR = '1';
// ink shows only its last frame when it thinks it runs under CI, and it
// decides that from this process's environment. A terminal session's screen
// must not depend on where the daemon was started, so that hint is removed.
for (const key of Object.keys(process.env)) {
  if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_'))
    delete process.env[key];
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
