#!/usr/bin/env node
// The `fos` command in the router image (fos.service runs it): dist/bundle/fos.cjs,
// the CommonJS build of bin/fos.js's bundle (scripts/bundle.mjs), compiled with the
// V8 code cache that images/build made beside it (fos.cjs.cache), so that Node reads
// the compiled functions instead of parsing and compiling 1.6 MB of JavaScript again
// (most of the daemon's start under emulation). Node 20 has no module compile cache,
// and vm.Script's cachedData covers only scripts, hence a script in Node's CommonJS
// wrapper. A cache V8 rejects (another node, other flags, another bundle) is compiled
// anew, and said on stderr (FOS_CODE_CACHE=FILE names another cache). With
// FOS_CODE_CACHE_OUT=FILE the cache of what this process compiled is written to FILE when it
// exits (images/build, after a start).
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');
require('./process-env.cjs');

const file = join(__dirname, '..', 'dist', 'bundle', 'fos.cjs');
const cacheFile = process.env.FOS_CODE_CACHE || `${file}.cache`;
delete process.env.FOS_CODE_CACHE;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // no cache: compiled as Node compiles any script
}
// Node 20 loses a script's import() callback when V8 accepts its code cache ("A dynamic import
// callback was not specified"), so the bundle cannot import() ink-terminal.js (an ES module
// beside it) itself: src/ui/lazy.ts calls this import, made here in a module Node loaded.
globalThis[Symbol.for('fos.importInkTerminal')] = () =>
  import(pathToFileURL(join(dirname(file), 'ink-terminal.js')).href);
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
  {
    filename: file,
    cachedData,
  },
);
if (cachedData !== undefined && script.cachedDataRejected)
  process.stderr.write(`fos: V8 rejected the code cache ${cacheFile}; compiling the bundle\n`);
const out = process.env.FOS_CODE_CACHE_OUT;
delete process.env.FOS_CODE_CACHE_OUT; // not for the processes this one starts
if (out) {
  process.once('exit', () => {
    writeFileSync(`${out}.tmp`, script.createCachedData());
    renameSync(`${out}.tmp`, out);
  });
}
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
bundle.exports
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e) => {
    process.stderr.write(`fos: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 70;
  });
