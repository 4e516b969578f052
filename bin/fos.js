#!/usr/bin/env node
// The `fos` command. Runs the built JavaScript in dist/ (`npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('fos: not built yet; run `npm run build` (or ./setup.sh) first\n');
  process.exit(70);
}
// Colour is decided per session: plain sessions never colour, and the ink
// front-end is used only for terminals that asked for it. The colour library
// under ink decides once per process from our own stdout, which for a daemon is
// no terminal, so it is told here that colour may be used.
if (process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined)
  process.env.FORCE_COLOR = '1';
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
