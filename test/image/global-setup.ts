import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

/** The image of this checkout: built when any of its inputs changed (a minute or so with the cache). */
export default function setup(): void {
  execFileSync('bash', [join(repoRoot, 'images', 'build'), '--if-needed'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}
