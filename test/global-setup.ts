import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

/**
 * Tests that run the `fos` binary need dist/ (the tree and the bundle); building takes a few seconds.
 * The XDP tests need bpf/build (make is incremental: nothing to do takes a few ms).
 */
export default function setup(): void {
  execFileSync('make', ['-s', '-j2', '-C', join(repoRoot, 'bpf')], { stdio: 'inherit' });
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  // bin/fos.js runs the bundle when it is as new as the tree: built here too, so it never lags.
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
}
