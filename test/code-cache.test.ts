/**
 * bin/fos-cached.cjs, the router image's entry (fos.service): the CommonJS bundle compiled
 * through a V8 code cache. It runs the same `fos` as bin/fos.js with a cache, without one, and
 * with one V8 rejects (said on stderr, then compiled); FOS_CODE_CACHE_OUT writes the cache.
 * The bundle's import() of the ink front-end (an ES module beside it) resolves.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

const cached = join(repoRoot, 'bin', 'fos-cached.cjs');
const plain = join(repoRoot, 'bin', 'fos.js');
const dir = mkdtempSync(join(tmpdir(), 'fos-code-cache-'));
const cache = join(dir, 'fos.cjs.cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FOS_CODE_CACHE: cache, ...env },
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bin/fos-cached.cjs', () => {
  it('without a cache runs fos as bin/fos.js does, and writes the cache it is asked for', () => {
    const r = run(cached, ['help'], { FOS_CODE_CACHE_OUT: cache });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(run(plain, ['help']).out);
    expect(statSync(cache).size).toBeGreaterThan(100_000);
  });

  it('with the cache: accepted, the same answer', () => {
    const r = run(cached, ['help']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: fos /);
  });

  it('a cache V8 rejects is said, and the bundle compiled', () => {
    writeFileSync(cache, Buffer.alloc(4096, 7));
    const r = run(cached, ['help']);
    expect(r.err).toMatch(/V8 rejected the code cache .*fos\.cjs\.cache; compiling the bundle/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: fos /);
  });

  it('imports the ink front-end beside the bundle, as the loader compiles it', () => {
    const probe = join(dir, 'probe.cjs');
    // The loader's way of compiling, with a script that only imports ink-terminal.js.
    writeFileSync(
      probe,
      `const vm = require('node:vm');
       const file = ${JSON.stringify(join(repoRoot, 'dist', 'bundle', 'fos.cjs'))};
       process.emitWarning = () => {};
       new vm.Script('import("./ink-terminal.js").then((m) => console.log(typeof m.InkTerminal))', {
         filename: file,
         importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
       }).runInThisContext();`,
    );
    const r = run(probe, []);
    expect(r.err).toBe('');
    expect(r.out).toBe('function\n');
  });
});
