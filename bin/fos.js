#!/usr/bin/env node
// The `fos` command. Runs the built JavaScript in dist/ (`npm run build`): the
// bundle in dist/bundle when it is as new as the compiled tree (tsc alone
// rebuilds only the tree), else the tree itself.
import { statSync } from 'node:fs';
import './process-env.cjs';

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
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
