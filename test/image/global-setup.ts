import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

/**
 * The image of this checkout: built when any of its inputs changed (half a minute with the
 * cache, about two minutes from nothing). Bounded, so that a mirror that stops answering fails
 * the run instead of holding it.
 */
export default function setup(): void {
  execFileSync('bash', [join(repoRoot, 'images', 'build'), '--if-needed'], {
    cwd: repoRoot,
    stdio: 'inherit',
    timeout: 30 * 60_000,
  });
}
